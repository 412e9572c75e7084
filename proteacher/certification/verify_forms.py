"""The public verification page's forms: a 證號 and the holder's full name, for those who have the
paper but not its QR code; and a digital credential to verify (certification.credential)."""

from django import forms

from proteacher.accounts.login_forms import BootstrapFormMixin
from proteacher.certification import credential
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


class CredentialForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    """驗證數位憑證: the downloaded .jwt file, or its text pasted; at most 64 KB either way."""

    file = forms.FileField(label="數位憑證檔案", required=False, help_text="本平臺下載的 .jwt 檔案，上限 64 KB。")
    text = forms.CharField(
        label="或貼上憑證內容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if upload and text:
            raise forms.ValidationError(credential.BOTH_GIVEN)
        if not upload and not text:
            if "file" not in self.errors:
                raise forms.ValidationError(credential.NOTHING_GIVEN)
            return data
        if upload:
            if upload.size > credential.MAX_BYTES:
                raise forms.ValidationError(credential.TOO_LARGE)
            try:
                text = upload.read(credential.MAX_BYTES + 1).decode("utf-8").strip()
            except UnicodeDecodeError:
                raise forms.ValidationError(credential.MALFORMED) from None
        if len(text.encode()) > credential.MAX_BYTES:
            raise forms.ValidationError(credential.TOO_LARGE)
        data["token"] = text
        return data
