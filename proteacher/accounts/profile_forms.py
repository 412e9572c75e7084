"""Forms of 教師驗證 and 個人資訊: the teacher's own details and the email code."""

import datetime
import re
import unicodedata

from django import forms
from django.contrib.auth.base_user import BaseUserManager
from django.db import transaction

from proteacher import dates
from proteacher.accounts.models import TeacherProfile
from proteacher.audit.log import record
from proteacher.text import CleanTextMixin

# 任職學等(可複選): the school levels a teacher can work at.
TEACHING_LEVELS = ("幼兒園", "國小", "國中", "高中", "高職", "特殊教育")

# 領域(可複選): the domains of the 12-year basic education curriculum (十二年國教課綱).
CURRICULUM_DOMAINS = (
    "語文",
    "數學",
    "社會",
    "自然科學",
    "藝術",
    "綜合活動",
    "科技",
    "健康與體育",
    "生活課程",
    "全民國防教育",
    "特殊需求",
    "其他",
)

MAX_TEACHING_YEARS = 50

# After dropping spaces, dashes and brackets: a Taiwanese number starting with 0 (landline with
# area code, or mobile) or +886, optionally followed by #extension.
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
_PHONE_PATTERN = re.compile(r"^(0\d{8,9}|\+886\d{8,9})(#\d{1,6})?$")


def normalize_digits(value: str) -> str:
    """Turn full-width digits and signs (typed with a Chinese input method) into ASCII."""
    return unicodedata.normalize("NFKC", value)


class BootstrapBoundField(forms.BoundField):
    """Adds Bootstrap's is-invalid to a field with errors, whether found by the form or by a service."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            widget = widget or self.field.widget
            attrs["class"] = f"{attrs.get('class', widget.attrs.get('class', ''))} is-invalid".strip()
        return attrs


class MonthField(forms.DateField):
    """A year and month, typed in an <input type="month">, kept as the first day of that month."""

    widget = forms.DateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y/%m"]
    default_error_messages = {"invalid": "請以「西元年-月」輸入，例如 2015-08。"}

    def to_python(self, value):
        if isinstance(value, str):
            value = normalize_digits(value).strip()
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class TeacherDetailsForm(CleanTextMixin, forms.Form):
    """What the teacher states about themselves at 教師驗證 step 1 and edits under 基本資訊."""

    bound_field_class = BootstrapBoundField

    phone = forms.CharField(
        label="您的聯絡電話",
        max_length=30,
        error_messages={"required": "請填寫您的聯絡電話。", "max_length": "聯絡電話最多 30 個字。"},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label="您的Email",
        max_length=254,
        error_messages={
            "required": "請填寫您的Email。",
            "invalid": "請輸入正確的 Email，例如 name@example.com。",
            "max_length": "Email 最多 254 個字。",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    levels = forms.MultipleChoiceField(
        label="任職學等(可複選)",
        choices=[(level, level) for level in TEACHING_LEVELS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "請至少勾選一個任職學等。",
            "invalid_choice": "請從清單中勾選任職學等。",
        },
    )
    domains = forms.MultipleChoiceField(
        label="領域(可複選)",
        choices=[(domain, domain) for domain in CURRICULUM_DOMAINS],
        widget=forms.CheckboxSelectMultiple,
        # Optional: a kindergarten teacher teaches none of the curriculum's domains.
        required=False,
        error_messages={"invalid_choice": "請從清單中勾選領域。"},
    )
    formal_since = MonthField(
        label="取得正式教師時間",
        required=False,
        help_text="請選擇擔任正式教師起始年月，若未取得正式教師該欄可空白",
    )
    teaching_years = forms.IntegerField(
        label="實際教學年資",
        initial=0,
        min_value=0,
        max_value=MAX_TEACHING_YEARS,
        help_text="*如資料不實請自行負責",
        error_messages={
            "required": "請填寫實際教學年資，沒有請填 0。",
            "invalid": "實際教學年資請填整數年。",
            "min_value": f"實際教學年資須介於 0 到 {MAX_TEACHING_YEARS} 年之間。",
            "max_value": f"實際教學年資須介於 0 到 {MAX_TEACHING_YEARS} 年之間。",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxSelectMultiple) else "form-control"
            field.widget.attrs.setdefault("class", css)
        self.fields["teaching_years"].widget.attrs["class"] = "form-control w-auto"
        self.fields["formal_since"].widget.attrs["max"] = dates.today().strftime("%Y-%m")

    @classmethod
    def initial_for(cls, profile: TeacherProfile) -> dict:
        """The form's starting values: what the teacher said before, and the address to verify."""
        user = profile.user
        return {
            "phone": profile.phone,
            "email": profile.pending_email or user.email,
            "levels": profile.levels,
            "domains": profile.domains,
            "formal_since": profile.formal_since,
            "teaching_years": profile.teaching_years,
        }

    def clean_phone(self) -> str:
        phone = normalize_digits(self.cleaned_data["phone"]).strip()
        if not _PHONE_PATTERN.match(_PHONE_SEPARATORS.sub("", phone)):
            raise forms.ValidationError(
                "請輸入正確的電話號碼，例如 02-12345678 或 0912-345678（分機請用 # 隔開）。", code="phone"
            )
        return phone

    def clean_email(self) -> str:
        return BaseUserManager.normalize_email(self.cleaned_data["email"].strip())

    def clean_levels(self) -> list[str]:
        # Kept in the list's own order, whatever order the browser sent.
        chosen = set(self.cleaned_data["levels"])
        return [level for level in TEACHING_LEVELS if level in chosen]

    def clean_domains(self) -> list[str]:
        chosen = set(self.cleaned_data["domains"])
        return [domain for domain in CURRICULUM_DOMAINS if domain in chosen]

    def clean_formal_since(self) -> datetime.date | None:
        month = self.cleaned_data["formal_since"]
        if month and month > dates.today().replace(day=1):
            raise forms.ValidationError("取得正式教師時間不可晚於本月。", code="future")
        return month

    DETAILS = ("phone", "levels", "domains", "formal_since", "teaching_years")

    def save_details(self, profile: TeacherProfile) -> None:
        """Store everything but the email, which changes only after its code is entered. The audit
        entry names the fields that changed, not their values (the profile holds those)."""
        data = self.cleaned_data
        changed = [name for name in self.DETAILS if getattr(profile, name) != data[name]]
        for name in self.DETAILS:
            setattr(profile, name, data[name])
        with transaction.atomic():
            profile.save(update_fields=[*self.DETAILS, "updated_at"])
            if changed:
                user = profile.user
                record("profile.change", actor=user, subject=user, target="基本資訊", data={"changed": changed})


class EmailCodeForm(CleanTextMixin, forms.Form):
    bound_field_class = BootstrapBoundField

    code = forms.CharField(
        label="驗證碼",
        max_length=20,
        error_messages={"required": "請輸入驗證碼。"},
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg w-auto",
                "size": 12,
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "placeholder": "6 位數字",
            }
        ),
    )

    def clean_code(self) -> str:
        code = re.sub(r"\s", "", normalize_digits(self.cleaned_data["code"]))
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError("請輸入 6 位數字的驗證碼。", code="format")
        return code
