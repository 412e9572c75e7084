"""Forms of 分發委員 and 審查委員: they parse what is posted; the rules live in review.assignment."""

from django import forms

from proteacher.accounts.login_forms import BootstrapFormMixin
from proteacher.certification import workflow
from proteacher.certification.models import CertificationType
from proteacher.registry.models import School, normalize_place_name
from proteacher.review.assignment import ASSIGN_STATES, reviewer_users, reviewers_per_case
from proteacher.text import CleanTextMixin

# More schools than this in the drop-down and 管理者 searches first (the national list has thousands).
SCHOOL_CHOICES_MAX = 200


class ReviewerChoiceForm(CleanTextMixin, forms.Form):
    """The 委員 ticked on an assignment page (the page draws the check boxes itself), and whether
    the officer confirmed a panel short of 委員."""

    reviewers = forms.ModelMultipleChoiceField(
        queryset=None,
        error_messages={
            "required": "請至少選擇一位委員。",
            "invalid_choice": "所選的委員不存在或已停用，請重新整理後再選擇。",
            "invalid_pk_value": "所選的委員不存在或已停用，請重新整理後再選擇。",
        },
    )
    short_confirmed = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = reviewer_users()

    def first_error(self) -> str:
        return next(iter(self.errors.get("reviewers", [])), "資料有誤，請重新選擇。")


class QueueForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    """Which queue to assign at once, and how many 委員 each case gets."""

    state = forms.ChoiceField(
        label="審查階段",
        choices=[(state, workflow.label(state)) for state in ASSIGN_STATES],
        error_messages={"required": "請選擇審查階段。", "invalid_choice": "請選擇審查階段。"},
    )
    certification_type = forms.ModelChoiceField(
        label="認證類別", queryset=CertificationType.objects.all(), required=False, empty_label="全部"
    )
    academic_year = forms.IntegerField(
        label="學年度", required=False, min_value=1, max_value=999, error_messages={"invalid": "請輸入學年度數字。"}
    )
    per_case = forms.IntegerField(
        label="每案委員人數",
        required=False,
        min_value=1,
        max_value=10,
        error_messages={
            "min_value": "每案至少分發一位委員。",
            "max_value": "每案最多分發 10 位委員。",
            "invalid": "請輸入每案委員人數。",
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("per_case", reviewers_per_case())
        super().__init__(*args, **kwargs)

    def clean_per_case(self):
        # The filter links carry no count: the suggested number (REVIEWERS_PER_CASE) applies.
        value = self.cleaned_data.get("per_case")
        return reviewers_per_case() if value is None else value


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, school):
        return f"{school.county.name} {school.name}（{school.code}）"


class ReviewerForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    school = SchoolChoiceField(
        label="服務學校",
        queryset=School.objects.select_related("county"),
        required=False,
        empty_label="（未設定）",
        help_text="委員不會被分發到服務學校教師的申請。",
        error_messages={"invalid_choice": "請選擇有效的學校。"},
    )
    is_active = forms.BooleanField(label="可分發", required=False, help_text="取消勾選後，不會再分發新的案件給此委員。")

    def limit_schools(self, query: str, current: School | None) -> bool:
        """Offer only the schools matching `query` (and the current one) in the drop-down.
        Returns False when there are too many to list and 管理者 should search first."""
        schools = School.objects.select_related("county")
        if query:
            schools = schools.filter(normalized_name__icontains=normalize_place_name(query)) | schools.filter(
                code=query
            )
        found = list(schools[: SCHOOL_CHOICES_MAX + 1])
        complete = len(found) <= SCHOOL_CHOICES_MAX
        ids = {s.pk for s in found[:SCHOOL_CHOICES_MAX]} if complete else set()
        if current is not None:
            ids.add(current.pk)
        self.fields["school"].queryset = School.objects.select_related("county").filter(pk__in=ids)
        return complete
