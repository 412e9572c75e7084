"""The 新增 form of API 權杖; the rules themselves live in tokens.issue."""

import datetime

from django import forms

from proteacher.accounts.login_forms import BootstrapFormMixin
from proteacher.api.models import Scope
from proteacher.api.tokens import DEFAULT_RATE_LIMIT, MAX_RATE_LIMIT
from proteacher.dates import today
from proteacher.registry.models import County
from proteacher.text import CleanTextMixin

# The longest a token may be issued for, in days from today (tokens.MAX_LIFETIME holds a day more).
MAX_DAYS = 365


class ApiTokenForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label="名稱",
        max_length=60,
        error_messages={"required": "請輸入權杖名稱。"},
        help_text="使用此權杖的系統，如「臺北市教專中心研習系統」。",
    )
    county = forms.ModelChoiceField(
        label="縣市",
        queryset=County.objects.order_by("sort_order", "code"),
        required=False,
        empty_label="全國（工作小組的系統，可讀取所有縣市）",
        help_text="縣市的系統只能讀取該縣市的資料。",
        error_messages={"invalid_choice": "請選擇有效的縣市。"},
    )
    scopes = forms.MultipleChoiceField(
        label="權限範圍",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "請至少選擇一項權限範圍。", "invalid_choice": "請選擇有效的權限範圍。"},
    )
    expires_on = forms.DateField(
        label="到期日",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"required": "請輸入到期日。", "invalid": "請輸入有效的日期（如 2027-06-30）。"},
        help_text=f"權杖在到期日結束時失效，最長 {MAX_DAYS} 天。",
    )
    rate_limit_per_minute = forms.IntegerField(
        label="每分鐘呼叫上限",
        initial=DEFAULT_RATE_LIMIT,
        min_value=1,
        max_value=MAX_RATE_LIMIT,
        error_messages={
            "required": "請輸入每分鐘呼叫上限。",
            "invalid": "請輸入整數。",
            "min_value": "每分鐘呼叫上限至少為 1 次。",
            "max_value": f"每分鐘呼叫上限最多為 {MAX_RATE_LIMIT} 次。",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = today() + datetime.timedelta(days=MAX_DAYS)

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day < today():
            raise forms.ValidationError("到期日不可早於今天。")
        if day > today() + datetime.timedelta(days=MAX_DAYS):
            raise forms.ValidationError(f"到期日最長為 {MAX_DAYS} 天後。")
        return day
