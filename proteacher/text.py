"""Text as the platform keeps it: no control characters.

The control characters are C0 (U+0000–U+001F) but tab, line feed and carriage return, and DEL
(U+007F). PostgreSQL cannot store NUL in text or jsonb at all, and none of them is anything a
person means to type: they come with text pasted from a word processor, or from a crafted request.

What happens to them depends on the input:

- Text a person writes at length (a form engine answer, a textarea, a 原因訊息) and a search term
  (which only filters a list) have them **dropped** by `clean_text`, which also turns every line
  break into "\\n" (browsers post "\\r\\n"). Nobody loses a paragraph pasted from Word to a
  refusal about a character they cannot see.
- Any other single-line field of a Django form (a code, an account, a name, an Email, a password)
  is **refused** with CONTROL_CHARACTERS: the person sees which field, and nothing they did not
  mean is stored in an identifier. Line breaks are refused there too: a browser never sends one
  from a single-line input.

`CleanTextMixin` applies both to a Django form; the form engine (documents.engine) drops them
from everything it reads; a view that reads a value straight from the request (a ?q= search, a
filter, a 原因訊息) passes it through `clean_text` itself.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

CONTROL_CHARACTERS = "此欄含有看不見的控制字元（常見於複製貼上的文字），請刪除後重新輸入。"

# Dropped from free text; "\t", "\n" and "\r" stay ("\r" then becomes a line break).
_DROPPED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Refused in a single-line field: every control character but tab.
_REFUSED = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def clean_text(value: str) -> str:
    """`value` without control characters, its line breaks as "\\n"."""
    return _DROPPED.sub("", value).replace("\r\n", "\n").replace("\r", "\n")


def has_control_characters(value: str) -> bool:
    """Whether a single-line value holds a control character (any but tab), which it refuses."""
    return bool(_REFUSED.search(value))


def refuse_control_characters(value) -> None:
    """A validator for a single-line field: any control character but tab is refused."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(CONTROL_CHARACTERS, code="control_characters")


class SearchInput(forms.TextInput):
    """A search box (<input type="search">): what is typed only filters a list."""

    input_type = "search"


class CleanTextMixin:
    """Every text field of a Django form: a textarea's or a search box's text has its control
    characters dropped before the form reads it; any other text field refuses them with
    CONTROL_CHARACTERS (in place of Django's own check, which refuses NUL alone). It goes before
    the Django form class among a form's bases.

    It acts when the form is cleaned, so fields a form adds in its own __init__ count too.
    """

    def full_clean(self):
        dropped = []
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField):
                continue
            field.validators = [
                v
                for v in field.validators
                if not isinstance(v, ProhibitNullCharactersValidator) and v is not refuse_control_characters
            ]
            if isinstance(field.widget, forms.Textarea | SearchInput):
                dropped.append(self.add_prefix(name))
            else:
                field.validators.insert(0, refuse_control_characters)
        if self.is_bound and dropped:
            self.data = _dropped_in(self.data, dropped)
        super().full_clean()


def _dropped_in(data, names: list[str]):
    """A copy of posted `data` with clean_text applied to the values of `names`."""
    data = data.copy()
    for name in names:
        if hasattr(data, "setlist"):
            if name in data:
                data.setlist(name, [clean_text(v) if isinstance(v, str) else v for v in data.getlist(name)])
        elif isinstance(data.get(name), str):
            data[name] = clean_text(data[name])
    return data
