"""The office's forms: the queue's filters, the 形式審查表, the decisions and 申復 受理 / 未受理.

They parse what was posted; the rules of each action live in the workflow table (and the
functions its rows name), which the forms ask so that a page and a direct call of the service
refuse the same things with the same words.
"""

from django import forms

from proteacher.accounts.login_forms import BootstrapFormMixin
from proteacher.certification import formal_verdicts, workflow
from proteacher.certification.models import FormSlot
from proteacher.review import office
from proteacher.review.selectors import QueueFilters
from proteacher.text import CleanTextMixin, SearchInput

YES, NO = "yes", "no"
REASON_WIDGET = forms.Textarea(attrs={"rows": 3})


class QueueFilterForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    """認證類別 · 學年度 · 縣市 (管理者 only) · 學校 · 狀態 · 教師; every field optional."""

    certification_type = forms.TypedChoiceField(label="認證類別", required=False, coerce=int, empty_value=None)
    academic_year = forms.TypedChoiceField(label="學年度", required=False, coerce=int, empty_value=None)
    county = forms.TypedChoiceField(label="縣市", required=False, coerce=int, empty_value=None)
    school = forms.CharField(label="學校", required=False, max_length=100, widget=SearchInput)
    state = forms.ChoiceField(label="狀態", required=False)
    q = forms.CharField(label="教師姓名或全教網帳號", required=False, max_length=100, widget=SearchInput)
    overdue = forms.BooleanField(label="逾期未審", required=False)

    def __init__(self, data, *, types, years, counties=None):
        super().__init__(data)
        self.fields["certification_type"].choices = [("", "全部")] + list(types)
        self.fields["academic_year"].choices = [("", "全部")] + [(year, f"{year}學年度") for year in years]
        self.fields["state"].choices = [("", "全部")] + [
            (state, workflow.label(state)) for state in workflow.OFFICE_STATES + workflow.OTHER_STATES
        ]
        if counties is None:
            # A 縣市 works on its own county: the filter is fixed and not offered.
            del self.fields["county"]
        else:
            self.fields["county"].choices = [("", "全部")] + list(counties)

    def filters(self) -> QueueFilters:
        """The valid filters; a value that does not parse (an old link, a typo) filters nothing."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return QueueFilters(
            certification_type=data.get("certification_type"),
            academic_year=data.get("academic_year"),
            county=data.get("county"),
            school=(data.get("school") or "").strip(),
            state=data.get("state") or "",
            q=(data.get("q") or "").strip(),
            overdue=bool(data.get("overdue")),
        )


class RevisionMixin(CleanTextMixin, forms.Form):
    # The case revision the page showed; the workflow refuses a stale page with it.
    revision = forms.IntegerField(widget=forms.HiddenInput)


def _choose(*actions: str) -> str:
    labels = [f"「{workflow.label_of(action)}」" for action in actions]
    return f"請按{'或'.join(labels)}。"


class FormalReviewForm(BootstrapFormMixin, RevisionMixin):
    """形式審查表: per slot 資料齊全且正確 (是 / 否) and a reason; an overall 原因訊息; 通過 or 退件."""

    PASS, RETURN = "pass", "return"
    pass_label = workflow.label_of(office.FORMAL[True])
    return_label = workflow.label_of(office.FORMAL[False])

    decision = forms.ChoiceField(
        choices=[(PASS, pass_label), (RETURN, return_label)],
        error_messages={
            "required": _choose(*office.FORMAL.values()),
            "invalid_choice": _choose(*office.FORMAL.values()),
        },
    )
    reason = forms.CharField(label="原因訊息", required=False, max_length=2000, widget=REASON_WIDGET)

    def __init__(self, slots: list[FormSlot], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = slots
        for slot in slots:
            self.fields[f"{slot.code}-ok"] = forms.ChoiceField(
                label=f"{slot.label} 資料齊全且正確",
                choices=[(YES, "是"), (NO, "否")],
                # Added after BootstrapFormMixin styled the declared fields: styled here.
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                required=False,
            )
            self.fields[f"{slot.code}-reason"] = forms.CharField(
                label=f"{slot.label} 原因",
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )

    @property
    def passed(self) -> bool:
        return self.cleaned_data.get("decision") == self.PASS

    def slot_results(self) -> dict:
        results = {}
        for slot in self.slots:
            answer = self.cleaned_data.get(f"{slot.code}-ok")
            if answer in (YES, NO):
                results[slot.code] = {
                    "ok": answer == YES,
                    "reason": self.cleaned_data.get(f"{slot.code}-reason", "").strip(),
                }
        return results

    def clean(self):
        cleaned = super().clean()
        if "decision" not in cleaned:
            return cleaned
        step = workflow.BY_ACTION[office.FORMAL[self.passed]]
        if step.reason_required and not cleaned.get("reason", "").strip():
            self.add_error("reason", step.reason_required.format(label=step.label))
        problems = formal_verdicts.problems(self.slots, self.slot_results(), self.passed, self.return_label)
        for key, message in problems.items():
            if key == "decision":
                self.add_error(None, message)
            elif self.cleaned_data.get(f"{key}-ok") == NO:
                self.add_error(f"{key}-reason", message)
            else:
                self.add_error(f"{key}-ok", message)
        return cleaned

    def rows(self) -> list[dict]:
        """One line of the table per slot: the radio buttons, the reason box."""
        return [
            {"slot": slot, "ok": self[f"{slot.code}-ok"], "reason": self[f"{slot.code}-reason"]} for slot in self.slots
        ]


class DecisionForm(BootstrapFormMixin, RevisionMixin):
    """初審判定 / 複審判定 / 申復判定: one decision of the round, with 原因訊息."""

    action = forms.ChoiceField(
        label="判定結果", widget=forms.RadioSelect, error_messages={"required": office.NOT_A_DECISION}
    )
    reason = forms.CharField(label="原因訊息", required=False, max_length=2000, widget=REASON_WIDGET)

    def __init__(self, steps: list[workflow.Transition], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(step.action, step.label) for step in steps]
        self.fields["action"].error_messages["invalid_choice"] = office.NOT_A_DECISION

    def clean(self):
        cleaned = super().clean()
        step = workflow.BY_ACTION.get(cleaned.get("action", ""))
        if step is not None and step.reason_required and not cleaned.get("reason", "").strip():
            self.add_error("reason", step.reason_required.format(label=step.label))
        return cleaned


class AppealIntakeForm(BootstrapFormMixin, RevisionMixin):
    """申復審查 (受理中): 1. 申復申請案受理 (將進行申復審查) 2. 申復申請案未受理, with 原因訊息."""

    accept = forms.ChoiceField(
        label="申復申請案",
        widget=forms.RadioSelect,
        choices=[
            (YES, workflow.label_of(office.APPEAL_INTAKE[True])),
            (NO, workflow.label_of(office.APPEAL_INTAKE[False])),
        ],
        error_messages={"required": "請選擇是否受理。", "invalid_choice": "請選擇是否受理。"},
    )
    reason = forms.CharField(label="原因訊息", required=False, max_length=2000, widget=REASON_WIDGET)

    @property
    def accepted(self) -> bool:
        return self.cleaned_data.get("accept") == YES

    def clean(self):
        cleaned = super().clean()
        step = workflow.BY_ACTION[office.APPEAL_INTAKE[cleaned.get("accept") == YES]]
        if "accept" in cleaned and step.reason_required and not cleaned.get("reason", "").strip():
            self.add_error("reason", step.reason_required.format(label=step.label))
        return cleaned


class ExtendDeadlineForm(BootstrapFormMixin, RevisionMixin):
    """延長期限: the new date and time (Taipei) and why; the workflow checks it is later."""

    deadline = forms.DateTimeField(
        label="新的期限",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": "請填寫新的期限。", "invalid": "請以「年-月-日 時:分」填寫新的期限。"},
    )
    reason = forms.CharField(
        label="原因訊息",
        max_length=2000,
        widget=REASON_WIDGET,
        error_messages={"required": workflow.BY_ACTION["extend_deadline"].reason_required},
    )


class ExtendDueForm(BootstrapFormMixin, CleanTextMixin, forms.Form):
    """延長委員審查期限: the new date and time (Taipei) and why."""

    deadline = ExtendDeadlineForm.base_fields["deadline"]
    reason = forms.CharField(
        label="原因訊息",
        max_length=2000,
        widget=REASON_WIDGET,
        error_messages={"required": "延長審查期限請填寫原因訊息。"},
    )
