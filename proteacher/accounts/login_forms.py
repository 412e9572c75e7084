"""Forms of 縣市與管理者登入 and 忘記密碼."""

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_text_html

from proteacher.accounts import services
from proteacher.accounts.models import STAFF_ROLES, User
from proteacher.errors import DomainError
from proteacher.text import CleanTextMixin


class BootstrapFormMixin:
    """Give widgets Bootstrap's classes, and mark fields with errors as invalid.

    Django already sets aria-invalid and aria-describedby="<id>_error" on a field with errors;
    the templates render the error list under that id.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):  # SelectMultiple included; radios are not Selects
                css = "form-select"
            elif isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        # Every error passes through here, from field cleaning, clean() and the views alike.
        super().add_error(field, error)
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            if widget is not None and "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


# The login page shows a refusal above the fields; the inputs point at it for screen readers.
LOGIN_ERROR_ID = "login-error"


class StaffLoginForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    username = forms.CharField(
        label="帳號",
        max_length=150,
        error_messages={"required": "請輸入帳號。"},
        widget=forms.TextInput(
            attrs={
                "placeholder": "請輸入帳號",
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )
    password = forms.CharField(
        label="密碼",
        strip=False,
        error_messages={"required": "請輸入密碼。"},
        widget=forms.PasswordInput(attrs={"placeholder": "密碼", "autocomplete": "current-password"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None

    def clean(self):
        cleaned = super().clean()
        username, password = cleaned.get("username"), cleaned.get("password")
        if username and password:
            try:
                self.user = services.authenticate_staff(username, password, request=self.request)
            except DomainError as refusal:
                for field in self.fields.values():
                    field.widget.attrs["aria-describedby"] = LOGIN_ERROR_ID
                    field.widget.attrs["aria-invalid"] = "true"
                raise forms.ValidationError(str(refusal), code="refused") from refusal
        return cleaned


class StaffPasswordResetForm(CleanTextMixin, BootstrapFormMixin, PasswordResetForm):
    """忘記密碼: mail a reset link only to active 委員/縣市/管理者 accounts.

    Teachers sign in through the in-service network and have no password here to reset. A staff
    account opened without a password (a 委員 of the roster whose 帳號開通 link expired unused) gets
    a link too: the link proves the mailbox, as the first one did, and a staff member is shut out
    by deactivating the account, never by its password. The page that follows is the same whether
    or not a message was sent.
    """

    email = forms.EmailField(
        label="Email",
        max_length=254,
        error_messages={"required": "請輸入 Email。", "invalid": "請輸入有效的 Email。"},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "name@example.gov.tw"}),
    )

    def get_users(self, email):
        return User._default_manager.filter(email__iexact=email, is_active=True, role__in=STAFF_ROLES)


class StaffSetPasswordForm(CleanTextMixin, BootstrapFormMixin, SetPasswordForm):
    """A new password from the reset link; it also lifts a lock from wrong passwords."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "新密碼"
        self.fields["new_password1"].help_text = password_validators_help_text_html()
        self.fields["new_password2"].label = "確認新密碼"
        self.fields["new_password2"].help_text = "請再輸入一次新密碼。"

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            services.clear_login_lock(user)
        return user


class SecondFactorForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    """The second step: a code of the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label="驗證碼或復原碼",
        max_length=32,
        error_messages={"required": "請輸入驗證碼或復原碼。"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "inputmode": "text",
                # The page asks for this one thing right after the password.
                "autofocus": True,
            }
        ),
    )


class TotpEnrolForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    """The first code from the authenticator app proves it holds the key."""

    code = forms.CharField(
        label="驗證碼",
        max_length=12,
        error_messages={"required": "請輸入驗證器 App 顯示的 6 位數驗證碼。"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "placeholder": "6 位數字"}
        ),
    )
