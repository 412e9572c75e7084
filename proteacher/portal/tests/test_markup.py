"""proteacher.markup escapes as Django does: a name with markup in it shows as text."""

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from proteacher import markup

HOSTILE = "<script>alert('x')</script> & \"quoted\""


def test_every_value_is_escaped_as_format_html_would():
    template = '<a href="{url}" title="{title}">{name}</a>'

    drawn = markup.markup(template, url="/x?a=1&b=2", title=HOSTILE, name=HOSTILE)

    assert isinstance(drawn, SafeString)
    assert drawn == format_html(template, url="/x?a=1&b=2", title=HOSTILE, name=HOSTILE)
    assert "<script>" not in drawn


def test_markup_already_made_goes_in_as_it_is():
    inner = markup.markup("<b>{text}</b>", text=HOSTILE)

    assert markup.markup("<p>{inner}</p>", inner=inner) == f"<p><b>{escape(HOSTILE)}</b></p>"
    assert markup.text(mark_safe("<i>ok</i>")) == "<i>ok</i>"


def test_join_escapes_plain_text_between_markup():
    joined = markup.join([markup.markup("<b>{x}</b>", x="1"), "<2>"])

    assert joined == "<b>1</b>&lt;2&gt;"
