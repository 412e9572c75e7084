"""What a page posts back about itself, read the same way everywhere."""

import re

# Never a real revision: a page that posted none (or garbage) is treated as out of date.
NOT_SHOWN = -1


def posted_revision(data, name: str = "revision") -> int:
    """The revision of the record the page showed (a case's, an answer's, a form's).

    A page that posted none, or something that is not a number, gets NOT_SHOWN, which matches no
    stored revision: the save or the action is refused as coming from a stale page instead of
    overwriting what it never saw.
    """
    try:
        return int(data.get(name, ""))
    except (TypeError, ValueError):
        return NOT_SHOWN


def posted_number(value) -> int | None:
    """A record's id (or a year, a revision) as a page sends it: ASCII digits, or None.

    str.isdigit() also passes "²" and "١", which int() or the database then refuse with a
    server error; anything but plain digits finds nothing instead.
    """
    return int(value) if isinstance(value, str) and re.fullmatch(r"[0-9]{1,18}", value) else None
