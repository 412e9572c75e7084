"""Forms of 帳號管理 and 教師名單."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from proteacher.accounts.login_forms import BootstrapFormMixin
from proteacher.accounts.models import STAFF_ROLES
from proteacher.registry.models import County
from proteacher.text import CleanTextMixin, SearchInput


class StaffAccountForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    """Parses the 新增 form; the rules themselves live in services.create_staff_account."""

    username = forms.CharField(
        label="帳號",
        max_length=150,
        error_messages={"required": "請輸入帳號。"},
        help_text="英文字母、數字和 @ . + - _ 符號，登入時使用。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "請輸入姓名。"})
    email = forms.EmailField(
        label="Email",
        error_messages={"required": "請輸入 Email。", "invalid": "請輸入有效的 Email。"},
        help_text="忘記密碼時，重設密碼的信件寄到這裡。",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label="身分",
        choices=[("", "請選擇身分")] + [(role.value, role.label) for role in STAFF_ROLES],
        error_messages={"required": "請選擇身分。", "invalid_choice": "身分必須是委員、縣市或管理者。"},
    )
    county = forms.ModelChoiceField(
        label="縣市",
        queryset=County.objects.all(),
        required=False,
        empty_label="（身分為縣市時必填）",
        help_text="身分為縣市時必填；委員與管理者請留空。",
        error_messages={"invalid_choice": "請選擇有效的縣市。"},
    )
    password = forms.CharField(
        label="初始密碼",
        strip=False,
        error_messages={"required": "請輸入初始密碼。"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = password_validators_help_text_html()


class TeacherSearchForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    q = forms.CharField(label="姓名或服務學校", required=False, max_length=100, widget=SearchInput)
    flagged = forms.BooleanField(label="只列出資料異常", required=False)


class SchoolOfficerForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    """新增學校承辦人: a school of the viewer's scope and one of its teachers (accounts.school_officers
    checks both again)."""

    school = forms.ModelChoiceField(
        label="學校",
        queryset=None,
        empty_label="請選擇學校",
        error_messages={"required": "請選擇學校。", "invalid_choice": "請選擇所屬縣市的學校。"},
    )
    teacher = forms.CharField(
        label="教師姓名或全教網帳號",
        max_length=64,
        help_text="僅能授權服務學校為該校的教師。",
        error_messages={"required": "請輸入教師姓名或全教網帳號。"},
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["school"].label_from_instance = lambda school: f"{school.code} {school.name}"
