"""The public verification page's form: a 證號 and the holder's full name, for those who have the
paper but not its QR code."""

from django import forms

from proteacher.accounts.login_forms import BootstrapFormMixin
from proteacher.text import CleanTextMixin


class VerifyForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    number = forms.CharField(
        label="證號",
        max_length=40,
        error_messages={"required": "請輸入證號。", "max_length": "證號最多 %(limit_value)d 個字，請確認後重新輸入。"},
        help_text="例如：臺北證號第B115000001號，或舊系統證號 A104000811。",
    )
    name = forms.CharField(
        label="持證人姓名",
        max_length=50,
        error_messages={
            "required": "請輸入持證人姓名。",
            "max_length": "姓名最多 %(limit_value)d 個字，請確認後重新輸入。",
        },
        help_text="請輸入證書上的完整姓名。",
    )
