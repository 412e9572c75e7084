"""The one rule about control characters (proteacher.text): free text drops them, a single-line
field of a Django form refuses them, and every form of the platform follows it."""

import importlib
import pkgutil

import pytest
from django import forms

import proteacher
from proteacher.text import CONTROL_CHARACTERS, CleanTextMixin, clean_text, has_control_characters

DROPPED = [chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"] + ["\x7f"]


def test_free_text_loses_every_control_character_but_tab_and_line_breaks():
    assert clean_text("".join(DROPPED)) == ""
    assert clean_text("教學\x00觀察\x0b紀錄\x1f\x7f") == "教學觀察紀錄"
    assert clean_text("甲\t乙\n丙") == "甲\t乙\n丙"


def test_line_breaks_become_line_feeds():
    assert clean_text("第一段\r\n第二段\r第三段\n") == "第一段\n第二段\n第三段\n"


def test_other_characters_are_kept_as_they_are():
    text = "臺北市 ① 𠀋 é \u200b \u0085 \ufeff 🙂"
    assert clean_text(text) == text


def test_a_single_line_value_refuses_control_characters_and_line_breaks_but_not_tab():
    assert all(has_control_characters(f"a{char}b") for char in DROPPED + ["\n", "\r"])
    assert not has_control_characters("a\tb 臺北")


class Sample(CleanTextMixin, forms.Form):
    code = forms.CharField(max_length=20)
    note = forms.CharField(required=False, widget=forms.Textarea)
    email = forms.EmailField(required=False)
    secret = forms.CharField(required=False, strip=False)


def test_a_single_line_field_refuses_them_with_the_platforms_message():
    for value in ("ab\x00c", "ab\x01c", "a\x7f", "a\rb"):
        form = Sample({"code": value})
        assert not form.is_valid()
        assert form.errors["code"] == [CONTROL_CHARACTERS], value


def test_nul_gets_the_same_message_as_any_other_control_character():
    form = Sample({"code": "ok", "secret": "pass\x00word"})
    assert not form.is_valid()
    assert form.errors["secret"] == [CONTROL_CHARACTERS]


def test_an_email_with_one_is_refused_with_the_message_too():
    form = Sample({"code": "ok", "email": "a\x00b@example.tw"})
    assert not form.is_valid()
    assert CONTROL_CHARACTERS in form.errors["email"]


def test_a_textarea_drops_them_and_keeps_the_text():
    form = Sample({"code": "ok", "note": "從 Word 貼上\x0c的\x00段落\r\n下一行"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["note"] == "從 Word 貼上的段落\n下一行"


def test_a_posted_query_dict_is_cleaned_in_a_copy():
    from django.http import QueryDict

    posted = QueryDict("code=ok&note=%00%E6%96%87", mutable=False)
    form = Sample(posted)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["note"] == "文" and posted["note"] == "\x00文"


def test_fields_added_after_the_form_is_made_follow_the_rule():
    form = Sample({"code": "ok", "extra": "a\x00"})
    form.fields["extra"] = forms.CharField()
    assert not form.is_valid()
    assert form.errors["extra"] == [CONTROL_CHARACTERS]


def test_cleaning_twice_keeps_one_check():
    form = Sample({"code": "a\x00"})
    form.full_clean()
    form.full_clean()
    assert form.errors["code"] == [CONTROL_CHARACTERS]


def _production_modules():
    for module in pkgutil.walk_packages(proteacher.__path__, "proteacher."):
        parts = module.name.split(".")
        if {"tests", "migrations", "testing"} & set(parts):
            continue
        yield module.name


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_of_the_platform_follows_the_rule():
    for name in _production_modules():
        importlib.import_module(name)
    ours = {
        cls
        for cls in _subclasses(forms.BaseForm)
        if cls.__module__.startswith("proteacher.") and ".tests." not in cls.__module__
    }
    assert len(ours) > 15
    without = sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in ours if not issubclass(cls, CleanTextMixin))
    assert without == []


@pytest.mark.parametrize("value", ["", "臺北市", "a\tb"])
def test_clean_text_changes_nothing_clean(value):
    assert clean_text(value) == value
