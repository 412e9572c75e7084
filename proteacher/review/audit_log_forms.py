"""The filters of 稽核紀錄: they parse what the search box sends; the query is review.audit_log's."""

from django import forms

from proteacher.accounts.login_forms import BootstrapFormMixin
from proteacher.audit.actions import LABELS
from proteacher.review.audit_log import Filters
from proteacher.text import CleanTextMixin, SearchInput

# The largest id PostgreSQL's bigint holds: a bigger 案件編號 would make the query fail, not find nothing.
LARGEST_ID = 2**63 - 1


class DateInput(forms.DateInput):
    input_type = "date"


class AuditSearchForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    date_from = forms.DateField(
        label="起日",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "請輸入正確的起日，例如 2026-01-31。"},
    )
    date_to = forms.DateField(
        label="迄日",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "請輸入正確的迄日，例如 2026-01-31。"},
    )
    action = forms.ChoiceField(
        label="動作",
        required=False,
        choices=[("", "全部")] + list(LABELS.items()),
        error_messages={"invalid_choice": "請從清單中選擇動作。"},
    )
    actor = forms.CharField(
        label="帳號", required=False, max_length=150, widget=SearchInput, help_text="帳號、全教網帳號或姓名"
    )
    case = forms.IntegerField(
        label="案件編號",
        required=False,
        min_value=1,
        max_value=LARGEST_ID,
        error_messages={
            "invalid": "案件編號請輸入數字。",
            "min_value": "案件編號請輸入正整數。",
            "max_value": "沒有這個案件編號。",
        },
    )
    teacher = forms.CharField(
        label="教師", required=False, max_length=100, widget=SearchInput, help_text="姓名或全教網帳號"
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "迄日不可早於起日。")
        return cleaned

    def filters(self) -> Filters:
        """What the valid form asks for (empty fields filter nothing)."""
        data = self.cleaned_data
        return Filters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            action=data["action"],
            actor=data["actor"].strip(),
            case=data["case"],
            teacher=data["teacher"].strip(),
        )
