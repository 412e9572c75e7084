"""Forms of 認證設定 (管理者): a type's texts, its 表單項目 and its 資格規則.

The rule form draws one typed field per parameter the rule's check declares (rules.Param), so a
new check with new parameters needs no new form.
"""

import datetime
from decimal import Decimal

from django import forms

from proteacher.accounts.login_forms import BootstrapFormMixin
from proteacher.certification import rules, services
from proteacher.certification.models import CertificationType
from proteacher.documents import catalogue
from proteacher.errors import DomainError
from proteacher.registry.models import County, TrainingCategory
from proteacher.text import CleanTextMixin

VALIDITY_WORDS = "有效年限請輸入1到99之間的整數年數，或留空表示無期限。"
# Date windows offered per rule; the seed's rules use two, blank rows are ignored.
WINDOW_ROWS = 3


def template_choices(selected: list[str] | tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Every declared template, and any chosen code the catalogue does not know (kept, not lost)."""
    choices = [
        (template.code, f"{template.title}（{'上傳' if template.is_upload else '線上填寫'}）")
        for template in catalogue.all_templates(audience=None)
        # A slot holds what the teacher fills, or what the teacher's school fills (the 推薦表).
        if template.audience in (catalogue.TEACHER, catalogue.SCHOOL)
    ]
    known = {code for code, _ in choices}
    return choices + [(code, f"{code}（尚無表件定義）") for code in selected if code not in known]


def ordered_codes(chosen: list[str], before: list[str], choices: list[tuple[str, str]]) -> list[str]:
    """Keep the drop-down order the slot had; newly chosen templates follow in catalogue order."""
    order = [code for code in before if code in chosen]
    return order + [code for code, _ in choices if code in chosen and code not in order]


def review_form_choices(selected: str = "") -> list[tuple[str, str]]:
    """The reviewers' forms (審查標準表) a type may name, and a chosen code the catalogue lacks."""
    choices = [(template.code, template.title) for template in catalogue.all_templates(audience="reviewer")]
    if selected and selected not in {code for code, _ in choices}:
        choices.append((selected, f"{selected}（尚無表件定義）"))
    return [("", "請選擇審查標準表")] + choices


class TypeForm(CleanTextMixin, BootstrapFormMixin, forms.ModelForm):
    review_template_code = forms.ChoiceField(
        label="審查標準表",
        help_text="委員審查此類別時填寫的表件；分發委員時依此建立。",
        error_messages={"required": "請選擇審查標準表。", "invalid_choice": "請選擇審查標準表。"},
    )
    validity_years = forms.IntegerField(
        label="有效年限",
        required=False,
        min_value=1,
        max_value=99,
        help_text=CertificationType._meta.get_field("validity_years").help_text + "變更只適用於此後核發的證書。",
        error_messages={"invalid": VALIDITY_WORDS, "min_value": VALIDITY_WORDS, "max_value": VALIDITY_WORDS},
    )

    class Meta:
        model = CertificationType
        fields = list(services.TYPE_FIELDS)
        help_texts = {
            "short_name": "流程名稱與通知信使用，例如：進階認證。",
            "certificate_letter": "證號中的字母，例如：臺北證號第B108000013號的 B。",
            "training_name": "數位研習證明通知使用，例如：進階專業回饋人才。",
        }
        error_messages = {
            "name": {"required": "請輸入認證名稱。"},
            "short_name": {"required": "請輸入簡稱。"},
            "certificate_letter": {"required": "請輸入證號字母。"},
            "training_name": {"required": "請輸入培訓名稱。"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_template_code"].choices = review_form_choices(self.instance.review_template_code)

    def clean_certificate_letter(self):
        letter = self.cleaned_data["certificate_letter"].strip().upper()
        if not ("A" <= letter <= "Z"):
            raise forms.ValidationError("證號字母請輸入一個英文字母。")
        return letter

    def validate_unique(self):
        # certification.services checks the letter (and the code) in the words 管理者 reads.
        pass


class NewTypeForm(TypeForm):
    """新增認證類別: the type's code too, which its addresses and rules use and which never changes."""

    code = forms.CharField(
        label="代碼",
        max_length=20,
        help_text="出現在網址中，建立後不可變更；小寫英文字母開頭，只用小寫英文字母、數字與底線，例如：coach。",
        error_messages={"required": "請輸入代碼。"},
    )

    class Meta(TypeForm.Meta):
        fields = ["code", *TypeForm.Meta.fields]

    field_order = ["code", *services.TYPE_FIELDS]

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        try:
            services.check_type_code(code)
        except DomainError as refusal:
            raise forms.ValidationError(refusal.message) from None
        return code


class SlotForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    label = forms.CharField(label="表單項目", max_length=50, error_messages={"required": "請輸入表單項目名稱。"})
    sort_order = forms.IntegerField(label="排序", min_value=0, max_value=999)
    template_codes = forms.MultipleChoiceField(
        label="可選表件",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "請至少選擇一種表件。"},
    )
    remove = forms.BooleanField(label="刪除此表單項目", required=False)

    def __init__(self, *args, slot, in_use: bool, **kwargs):
        kwargs.setdefault(
            "initial", {"label": slot.label, "sort_order": slot.sort_order, "template_codes": slot.template_codes}
        )
        super().__init__(*args, prefix=f"slot-{slot.pk}", **kwargs)
        self.slot = slot
        self.in_use = in_use
        self.fields["template_codes"].choices = template_choices(slot.template_codes)
        if in_use:
            # A case has an answer in this slot: removing it would orphan that answer.
            self.fields["remove"].disabled = True
            self.fields["remove"].help_text = "已有申請案填寫此項目，無法刪除。"

    def change(self) -> dict:
        data = self.cleaned_data
        return {
            "slot": self.slot,
            "label": data["label"],
            "sort_order": data["sort_order"],
            "template_codes": ordered_codes(
                data["template_codes"], self.slot.template_codes, self.fields["template_codes"].choices
            ),
            "remove": data["remove"] and not self.in_use,
        }


class NewSlotForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    label = forms.CharField(label="表單項目", max_length=50, error_messages={"required": "請輸入表單項目名稱。"})
    code = forms.CharField(
        label="代碼",
        max_length=40,
        required=False,
        help_text="出現在網址中，建立後不可變更；小寫英文字母、數字與底線，空白則自動產生。",
    )
    template_codes = forms.MultipleChoiceField(
        label="可選表件",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "請至少選擇一種表件。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="new", **kwargs)
        self.fields["template_codes"].choices = template_choices()


class RuleSetForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    from_academic_year = forms.IntegerField(
        label="適用起始學年度",
        min_value=90,
        max_value=300,
        help_text="此學年度起適用；同一範圍內，起始學年度最近的版本優先，其次為最新版本。",
        error_messages={"required": "請輸入適用起始學年度。"},
    )
    county = forms.ModelChoiceField(
        label="縣市",
        queryset=County.objects.all(),
        required=False,
        empty_label="全國",
        help_text="選擇縣市表示此版本只適用於該縣市教師（依照縣市規定），優先於全國規則。",
    )


def _number(value: Decimal) -> int | float:
    # Stored as plain JSON numbers, as the shipped rules are (6, 18, 17.5).
    return int(value) if value == value.to_integral_value() else float(value)


class RuleForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    """One row of the eligibility table: 項目, 條件 and the check's parameters."""

    code = forms.SlugField(widget=forms.HiddenInput)
    check = forms.ChoiceField(widget=forms.HiddenInput)
    item = forms.CharField(label="項目", max_length=50, error_messages={"required": "請輸入項目。"})
    condition = forms.CharField(
        label="條件",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "請輸入條件說明。"},
    )
    remove = forms.BooleanField(label="刪除此規則", required=False)

    def __init__(self, *args, index: int, rule: dict | None = None, **kwargs):
        rule = rule or {}
        prefix = f"rule-{index}"
        data = args[0] if args else kwargs.get("data")
        check_name = data.get(f"{prefix}-check") if data is not None else rule.get("check")
        self.check_spec = rules.CHECKS.get(check_name or "")
        kwargs.setdefault("initial", self._initial(rule))
        super().__init__(*args, prefix=prefix, **kwargs)
        self.fields["check"].choices = [(name, spec.label) for name, spec in rules.CHECKS.items()]
        self.param_layout: list[dict] = []
        for param in self.check_spec.params if self.check_spec else ():
            self._add_param_fields(param)

    @property
    def check_label(self) -> str:
        return self.check_spec.label if self.check_spec else ""

    @property
    def is_removed(self) -> bool:
        return self.is_bound and self.data.get(self.add_prefix("remove")) in ("on", "true", "1")

    def _initial(self, rule: dict) -> dict:
        initial = {key: rule.get(key, "") for key in ("code", "check", "item", "condition")}
        params = rule.get("params") or {}
        spec = rules.CHECKS.get(rule.get("check", ""))
        for param in spec.params if spec else ():
            value = params.get(param.name)
            if param.kind == "windows":
                for row, window in enumerate((value or [])[:WINDOW_ROWS]):
                    initial[f"p_{param.name}_{row}_from"] = window.get("from")
                    initial[f"p_{param.name}_{row}_to"] = window.get("to")
                    initial[f"p_{param.name}_{row}_hours"] = window.get("hours")
            else:
                initial[f"p_{param.name}"] = value
        return initial

    def _add_param_fields(self, param: rules.Param) -> None:
        name = f"p_{param.name}"
        if param.kind == "windows":
            rows = []
            for row in range(WINDOW_ROWS):
                names = (f"{name}_{row}_from", f"{name}_{row}_to", f"{name}_{row}_hours")
                self.fields[names[0]] = forms.DateField(
                    label=f"期間{row + 1}起", required=False, widget=forms.DateInput(attrs={"type": "date"})
                )
                self.fields[names[1]] = forms.DateField(
                    label=f"期間{row + 1}迄", required=False, widget=forms.DateInput(attrs={"type": "date"})
                )
                self.fields[names[2]] = forms.DecimalField(
                    label=f"期間{row + 1}時數", required=False, min_value=0, max_digits=5, decimal_places=1
                )
                for field_name in names:
                    self._style(field_name)
                rows.append([self[field_name] for field_name in names])
            self.param_layout.append({"param": param, "windows": rows})
            return
        if param.kind == "years":
            field = forms.IntegerField(min_value=0, max_value=60)
        elif param.kind == "months":
            field = forms.IntegerField(min_value=0, max_value=120)
        elif param.kind == "hours":
            field = forms.DecimalField(min_value=0, max_digits=5, decimal_places=1)
        elif param.kind == "academic_year":
            field = forms.IntegerField(min_value=1, max_value=300)
        elif param.kind == "categories":
            field = forms.MultipleChoiceField(choices=TrainingCategory.choices, widget=forms.CheckboxSelectMultiple)
        elif param.kind == "certificate_kind":
            field = forms.ChoiceField(choices=CertificationType.objects.values_list("code", "short_name"))
        else:
            raise ValueError(f"unknown parameter kind {param.kind}")
        field.label = param.label
        field.required = param.required
        field.help_text = param.help_text
        field.error_messages["required"] = f"請填寫{param.label}。"
        self.fields[name] = field
        self._style(name)
        self.param_layout.append({"param": param, "field": self[name]})

    def _style(self, name: str) -> None:
        # Fields added after BootstrapFormMixin.__init__ get the same classes it gives the others.
        widget = self.fields[name].widget
        css = "form-check-input" if isinstance(widget, forms.CheckboxSelectMultiple) else "form-control"
        if isinstance(widget, forms.Select) and not isinstance(widget, forms.CheckboxSelectMultiple):
            css = "form-select"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def clean(self):
        cleaned = super().clean()
        if self.check_spec is None:
            raise forms.ValidationError("未知的檢核方式。")
        for param in self.check_spec.params:
            if param.kind != "windows":
                continue
            windows, typed = [], False
            for row in range(WINDOW_ROWS):
                names = [f"p_{param.name}_{row}_{part}" for part in ("from", "to", "hours")]
                start, end, hours = (cleaned.get(name) for name in names)
                if start is None and end is None and hours is None and not any(n in self.errors for n in names):
                    continue
                typed = True
                if hours is None:
                    if names[2] not in self.errors:
                        self.add_error(names[2], "請填寫此期間應達的時數。")
                elif start and end and start > end:
                    self.add_error(names[1], "結束日期不可早於開始日期。")
                else:
                    windows.append({"from": start, "to": end, "hours": hours})
            if not typed and param.required:
                self.add_error(None, f"請至少填寫一個{param.label}。")
            cleaned[f"p_{param.name}"] = windows
        return cleaned

    def rule(self) -> dict:
        """The rule as RuleSet.rules stores it."""
        data = self.cleaned_data
        params = {}
        for param in self.check_spec.params:
            value = data.get(f"p_{param.name}")
            if param.kind == "windows":
                value = [
                    {
                        "from": _iso(window["from"]),
                        "to": _iso(window["to"]),
                        "hours": _number(window["hours"]),
                    }
                    for window in value
                ]
            elif param.kind == "hours":
                value = _number(value if value is not None else Decimal(0))
            elif param.kind == "categories":
                value = list(value or [])
            elif value == "":
                value = None
            params[param.name] = value
        return {
            "code": data["code"],
            "item": data["item"],
            "condition": data["condition"],
            "check": data["check"],
            "params": params,
        }


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


class NewRuleForm(CleanTextMixin, forms.Form):
    check = forms.ChoiceField(label="新增規則的檢核方式")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["check"].choices = [(name, spec.label) for name, spec in rules.CHECKS.items()]
        self.fields["check"].widget.attrs["class"] = "form-select"


DAYS_WORDS = "天數請輸入1到365之間的整數，或留空。"
MOMENT_WORDS = "請以「年-月-日 時:分」填寫。"


def _moment(label: str, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": MOMENT_WORDS},
    )


def _days(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=365,
        help_text=help_text,
        error_messages={"invalid": DAYS_WORDS, "min_value": DAYS_WORDS, "max_value": DAYS_WORDS},
    )


class PeriodForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    """期程: every field optional (blank: not set here; a county's blank field is the national one's).
    Moments are Taipei's clock; a fixed date wins over a number of days."""

    apply_opens_at = _moment("申請開始")
    apply_closes_at = _moment("申請截止", "也是送出審查文件的最後時間。")
    revision_days = _days("修正期限（天數）", "修正後複審通知後幾天內須送出複審資料。")
    revision_due_at = _moment("修正期限（日期）", "填寫時優先於天數。")
    appeal_revision_days = _days("申復修正期限（天數）", "申復受理通知後幾天內須申復重新送審。")
    appeal_revision_due_at = _moment("申復修正期限（日期）", "填寫時優先於天數。")
    review_days = _days("委員審查期限（天數）", "分發委員後幾天內須送出審查標準表（各審查階段）。")
    review_due_at = _moment("委員審查期限（日期）", "填寫時優先於天數。")
    appeal_window_days = _days("申復期限（天數）", "未通過通知後幾天內（含假日）可提出申復；留空為10天。")

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("apply_opens_at"), cleaned.get("apply_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("apply_closes_at", "申請截止須晚於申請開始。")
        return cleaned
