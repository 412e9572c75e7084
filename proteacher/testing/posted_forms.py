"""What a browser could post from an online form page, for property tests: the page's own inputs
(read from its HTML), filled with drawn text, and names the page never drew."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from hypothesis import strategies as st

# The page's own bookkeeping, posted as the test decides.
BOOKKEEPING = {"csrfmiddlewaretoken", "revision", "template", "action", "state"}
CONTROLS = [chr(code) for code in range(0x20)] + ["\x7f"]
KEPT = "\t\n"


@dataclass
class Input:
    name: str
    kind: str  # text, textarea, date, time, month, number, radio, checkbox, select
    options: list[str] = field(default_factory=list)
    low: int = 0
    high: int = 20
    maxlength: int = 200


class _Inputs(HTMLParser):
    """The inputs of the page's online form (the one with class "online-form")."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.found: dict[str, Input] = {}
        self.select: Input | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = "online-form" in (attrs.get("class") or "")
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "option" and self.select is not None:
            self.select.options.append(attrs.get("value") or "")
        if not name or name in BOOKKEEPING:
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file", "hidden"):
            kind = attrs.get("type") or "text"
            entry = self.found.setdefault(name, Input(name, "text" if kind == "search" else kind))
            if kind in ("radio", "checkbox"):
                entry.options.append(attrs.get("value") or "on")
            if kind == "number":
                entry.low = int(attrs.get("min") or 0)
                entry.high = int(attrs.get("max") or entry.low + 20)
            if attrs.get("maxlength"):
                entry.maxlength = int(attrs["maxlength"])
        elif tag == "textarea":
            self.found[name] = Input(name, "textarea", maxlength=int(attrs.get("maxlength") or 5000))
        elif tag == "select":
            self.select = self.found.setdefault(name, Input(name, "select"))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        if tag == "select":
            self.select = None


def inputs_of(page: str) -> list[Input]:
    """Every input of the page's online form; a row's template (__index__) stands for rows 1 and 7."""
    parser = _Inputs()
    parser.feed(page)
    found = []
    for entry in parser.found.values():
        if "__index__" in entry.name:
            for index in ("1", "7"):
                found.append(Input(**{**entry.__dict__, "name": entry.name.replace("__index__", index)}))
        else:
            found.append(entry)
    return found


def _sprinkled(text: st.SearchStrategy) -> st.SearchStrategy:
    """`text` with control characters put in anywhere."""
    insertions = st.lists(st.tuples(st.integers(0, 40), st.sampled_from(CONTROLS)), max_size=4)

    def put(value, extra):
        for position, char in extra:
            position = min(position, len(value))
            value = value[:position] + char + value[position:]
        return value

    return st.builds(put, text, insertions)


def _pieces(pieces: list[str], max_size: int) -> st.SearchStrategy:
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


UNICODE = st.characters(codec="utf-8")  # every code point but the surrogates
CONTROL_TEXT = CONTROLS + ["甲", "乙", " ", "\r\n"]
ANY_TEXT = st.one_of(
    st.text(UNICODE, max_size=40),
    _pieces(CONTROL_TEXT, 20),
    _sprinkled(st.text(UNICODE, max_size=20)),
)
VERY_LONG = st.builds(
    lambda piece, times: piece * times, st.sampled_from(["長", "\x00", "a\r\n", "𠀋"]), st.integers(150, 6000)
)
WHATEVER = st.one_of(ANY_TEXT, VERY_LONG)


def _valid(entry: Input) -> st.SearchStrategy:
    """A value the field accepts, control characters put in: what is left once they are dropped
    is still valid, so the form saves and what it kept can be read."""
    if entry.kind in ("radio", "select"):
        return _sprinkled(st.sampled_from(entry.options or [""]))
    if entry.kind == "checkbox":
        return st.lists(_sprinkled(st.sampled_from(entry.options)), max_size=len(entry.options), unique=True)
    if entry.kind == "number":
        return _sprinkled(st.integers(entry.low, entry.high).map(str))
    if entry.kind in ("date", "time", "month"):
        sample = {"date": "2020-02-25", "time": "09:30", "month": "2020-02"}[entry.kind]
        return _sprinkled(st.sampled_from(["", sample]))
    short = min(entry.maxlength, 30)
    return _sprinkled(st.text(UNICODE, max_size=short)) | _pieces(CONTROL_TEXT, short // 2)


def _odd_names(inputs: list[Input]) -> st.SearchStrategy:
    """Names the page never drew: arbitrary, a real name with a control character, a row number
    in other digits, with leading zeros or far too long."""
    rows = sorted({m[1] for m in (re.match(r"^(.+?)-\d+-(.+)$", i.name) for i in inputs) if m} | {"records"})
    numbers = st.sampled_from(["١", "007", "-1", "9" * 30, "4294967296", "", " 1"])
    return st.one_of(
        st.text(UNICODE, min_size=1, max_size=20),
        st.sampled_from([i.name for i in inputs] or ["x"]).flatmap(lambda name: _sprinkled(st.just(name))),
        st.builds(lambda row, number, column: f"{row}-{number}-{column}", st.sampled_from(rows), numbers, ANY_TEXT),
    )


def posted(inputs: list[Input]) -> st.SearchStrategy:
    """A POST of the form: each input present or not, with a valid value sprinkled with control
    characters (the form saves), or, in one example out of two, any text at all; and odd names."""

    def fill(anything: bool):
        values = {entry.name: WHATEVER if anything else _valid(entry) for entry in inputs}
        return st.tuples(
            st.fixed_dictionaries({}, optional=values),
            st.dictionaries(_odd_names(inputs), WHATEVER, max_size=3),
        ).map(lambda both: {**both[1], **both[0]})

    return st.booleans().flatmap(fill)


def control_characters_in(value) -> list[str]:
    """Every string (key or value) inside stored JSON holding a control character but tab and line feed."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += control_characters_in(key) + control_characters_in(item)
    elif isinstance(value, list):
        for item in value:
            found += control_characters_in(item)
    elif isinstance(value, str) and any(char in CONTROLS and char not in KEPT for char in value):
        found.append(value)
    return found
