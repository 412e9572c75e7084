"""The upload form of 資料匯入."""

from django import forms

from proteacher.accounts.login_forms import BootstrapFormMixin
from proteacher.review.imports import KINDS
from proteacher.text import CleanTextMixin


class ImportUploadForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="資料類別",
        choices=[("", "請選擇")] + [(kind.code, kind.label) for kind in KINDS.values()],
        error_messages={"required": "請選擇資料類別。", "invalid_choice": "請選擇資料類別。"},
    )
    file = forms.FileField(
        label="檔案",
        help_text="CSV（UTF-8 或 Big5 編碼）或 Excel（.xlsx）檔，第一行為標題列。",
        error_messages={
            "required": "請選擇要匯入的檔案。",
            "empty": "檔案是空的，請確認後重新上傳。",
            "invalid": "請選擇要匯入的檔案。",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def first_error(self) -> str:
        for errors in self.errors.values():
            return errors[0]
        return ""
