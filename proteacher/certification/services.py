"""申請 (applying for a certification) and 管理者's settings of types, form slots and rules.

Every change here is one function; views, commands and tests call these and nothing else. Each
change of the settings writes its audit entry (認證設定變更: what changed, from what to what) in
its own transaction.
"""

import datetime
import re

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from proteacher import dates
from proteacher.audit.log import record
from proteacher.certification import deadlines, rules, workflow
from proteacher.certification.models import Case, CertificationType, FormSlot, RuleSet, SlotAnswer
from proteacher.errors import DomainError

ALREADY_APPLIED = "目前沒有可申請的認證 (本學年度已申請過)"
CLOSED = "此認證目前未開放申請。"
NOT_ELIGIBLE = "資格不符，無法申請。請查看下表未符合的項目。"
CHOOSE_ROUTE = "請選擇申請方式：各申請方式檢核的資格與應繳交的表單不同。"


class AlreadyApplied(DomainError):
    def __init__(self, case: Case):
        super().__init__(ALREADY_APPLIED)
        self.case = case


class NotEligible(DomainError):
    def __init__(self, evaluation: rules.Evaluation):
        super().__init__(NOT_ELIGIBLE)
        self.evaluation = evaluation


def _this_years_case(teacher, certification_type: CertificationType, year: int) -> Case | None:
    return Case.objects.filter(teacher=teacher, certification_type=certification_type, academic_year=year).first()


def needs_route(certification_type: CertificationType, routes=None) -> bool:
    """A renewal (換證) type with routes is applied for by one of them only: each asks for its own
    proofs (ApplicationRoute.slot_codes), and the type's own card would ask for all of them."""
    if not certification_type.renews_id:
        return False
    return bool(routes) if routes is not None else certification_type.routes.exists()


def apply_for(teacher, certification_type: CertificationType, on_day: datetime.date | None = None, route=None) -> Case:
    """Open the teacher's case for this academic year, only when every eligibility row passes.

    The evaluation is made here, on the server, whatever the page showed, and stored with the
    case, with the application route (申請方式) applied by, if any. Raises AlreadyApplied (one case
    per teacher, type and academic year, whatever the route), NotEligible (with the evaluation, to
    show the failing rows) or DomainError; creates nothing then.
    """
    on_day = on_day or dates.today()
    year = dates.academic_year(on_day)
    if not certification_type.is_open:
        raise DomainError(CLOSED)
    outside = deadlines.apply_refusal(certification_type.pk, year, teacher.county_id)
    if outside:
        # The period (期程) of the teacher's county, or the national one: the sentence names it.
        raise DomainError(outside)
    if route is None and needs_route(certification_type):
        raise DomainError(CHOOSE_ROUTE)
    existing = _this_years_case(teacher, certification_type, year)
    if existing is not None:
        raise AlreadyApplied(existing)
    evaluation = rules.evaluate(teacher, certification_type, on_day, route=route)
    if not evaluation.passed:
        raise NotEligible(evaluation)
    try:
        # The savepoint lets a caller's transaction go on after losing the race below.
        with transaction.atomic():
            return workflow.open_case(teacher, certification_type, year, evaluation.record)
    except IntegrityError:
        # A double click or a second tab: both passed the check above, the unique constraint
        # let only one insert through (the other waited for its commit, then failed here).
        existing = _this_years_case(teacher, certification_type, year)
        if existing is None:
            raise
        raise AlreadyApplied(existing) from None


# --- 管理者: types, slots and rules -----------------------------------------------------------


TYPE_FIELDS = (
    "name",
    "short_name",
    "certificate_letter",
    "training_name",
    "review_template_code",
    "validity_years",
    "is_open",
)
TYPE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
CODE_TAKEN = "代碼「{code}」已經使用。"
CODE_RESERVED = "代碼「{code}」與平臺的網址重複，請改用其他代碼。"
LETTER_TAKEN = "證號字母「{letter}」已由「{type}」使用，每個認證類別須有自己的證號字母。"


def _check_letter(values: dict, certification_type: CertificationType | None = None) -> None:
    letter = values.get("certificate_letter")
    if not letter:
        return
    holder = (
        CertificationType.objects.filter(certificate_letter=letter)
        .exclude(pk=certification_type.pk if certification_type else None)
        .first()
    )
    if holder is not None:
        raise DomainError(LETTER_TAKEN.format(letter=letter, type=holder.name))


def _has_pages_of_its_own(code: str) -> bool:
    """The type's addresses (認證專區 and 認證設定) lead to its pages, not to another page's."""
    for name in ("certification:type", "certification:settings_type"):
        try:
            match = resolve(reverse(name, args=[code]))
        except (NoReverseMatch, Resolver404):
            return False
        if match.view_name != name:
            return False
    return True


def check_type_code(code: str) -> None:
    """A new type's code: its own, of the right form, and making addresses of its own."""
    if not TYPE_CODE.match(code):
        raise DomainError("代碼請以小寫英文字母開頭，只用小寫英文字母、數字與底線，最多 20 字。")
    if not _has_pages_of_its_own(code):
        raise DomainError(CODE_RESERVED.format(code=code))
    if CertificationType.objects.filter(code=code).exists():
        raise DomainError(CODE_TAKEN.format(code=code))


def _audit(actor, certification_type: CertificationType, change: str, **data) -> None:
    record(
        "settings.change",
        actor=actor,
        target=f"認證設定：{certification_type.name}",
        data={"type": certification_type.code, "change": change, **data},
    )


def create_type(*, code: str, actor=None, **values) -> CertificationType:
    """新增認證類別: a type with its names, certificate letter and reviewers' form, listed after the
    others. Its 表單項目 and 資格規則 are added on its own pages; until it has rules it refuses 申請.
    `actor` is the 管理者 (None: the platform)."""
    unknown = set(values) - set(TYPE_FIELDS)
    if unknown:
        raise TypeError(f"not a type setting: {', '.join(sorted(unknown))}")
    try:
        with transaction.atomic():
            check_type_code(code)
            _check_letter(values)
            last = CertificationType.objects.aggregate(last=Max("sort_order"))["last"] or 0
            created = CertificationType.objects.create(code=code, sort_order=last + 1, **values)
            _audit(actor, created, "新增認證類別", values=values)
            return created
    except IntegrityError:
        # Another 管理者 took the code or the letter a moment ago.
        raise DomainError("另一位管理者剛新增了相同代碼或證號字母的認證類別，請重新整理後再試。") from None


def update_type(certification_type: CertificationType, *, actor=None, **values) -> CertificationType:
    """Change a type's texts (認證名稱, 簡稱, 證號字母, 培訓名稱), its reviewers' form (審查標準表),
    its certificates' 有效年限 (for certificates issued from then on) and whether it is open for
    申請. Its code never changes: addresses and rules name it."""
    unknown = set(values) - set(TYPE_FIELDS)
    if unknown:
        raise TypeError(f"not a type setting: {', '.join(sorted(unknown))}")
    _check_letter(values, certification_type)
    changed = {
        name: [getattr(certification_type, name), value]
        for name, value in values.items()
        if getattr(certification_type, name) != value
    }
    for name, value in values.items():
        setattr(certification_type, name, value)
    try:
        with transaction.atomic():
            certification_type.save(update_fields=list(values))
            if changed:
                _audit(actor, certification_type, "基本資料", changed=changed)
    except IntegrityError:
        raise DomainError("另一位管理者剛使用了此證號字母，請重新整理後再試。") from None
    return certification_type


def slots_in_use(certification_type: CertificationType) -> set[str]:
    """Codes of the slots some case has an answer in: those cannot be removed."""
    return set(
        SlotAnswer.objects.filter(case__certification_type=certification_type)
        .values_list("slot_code", flat=True)
        .distinct()
    )


SLOT_FIELDS = ("label", "sort_order", "template_codes")


def update_slots(certification_type: CertificationType, changes: list[dict], *, actor=None) -> None:
    """Apply 表單項目 edits: each change is {"slot": FormSlot, "label", "sort_order", "template_codes", "remove"}.

    All or nothing: a slot that some case has answered refuses removal, and then nothing changes.
    """
    removed, edited = [], {}
    with transaction.atomic():
        # Two 管理者 editing the same type take turns on this lock.
        CertificationType.objects.select_for_update().get(pk=certification_type.pk)
        in_use = slots_in_use(certification_type)
        for change in changes:
            slot: FormSlot = change["slot"]
            if slot.certification_type_id != certification_type.pk:
                raise DomainError("表單項目不屬於此認證類別。")
            if change.get("remove"):
                if slot.code in in_use:
                    raise DomainError(f"「{slot.label}」已有申請案填寫，無法刪除。")
                slot.delete()
                removed.append(slot.code)
                continue
            if not change.get("template_codes"):
                raise DomainError(f"「{change.get('label') or slot.label}」請至少選擇一種表件。")
            now = {"label": change["label"], "sort_order": change["sort_order"]}
            now["template_codes"] = list(change["template_codes"])
            differs = {
                name: [getattr(slot, name), now[name]] for name in SLOT_FIELDS if getattr(slot, name) != now[name]
            }
            if differs:
                edited[slot.code] = differs
            slot.label, slot.sort_order, slot.template_codes = now["label"], now["sort_order"], now["template_codes"]
            slot.save(update_fields=list(SLOT_FIELDS))
        if removed or edited:
            _audit(actor, certification_type, "表單項目", removed=removed, edited=edited)


SLOT_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def add_slot(
    certification_type: CertificationType, *, label: str, template_codes: list[str], code: str = "", actor=None
) -> FormSlot:
    """Add a 表單項目 at the end of the list. Its code appears in URLs and answers and never changes."""
    if not template_codes:
        raise DomainError("請至少選擇一種表件。")
    with transaction.atomic():
        CertificationType.objects.select_for_update().get(pk=certification_type.pk)
        existing = FormSlot.objects.filter(certification_type=certification_type)
        taken = set(existing.values_list("code", flat=True))
        if code:
            if not SLOT_CODE.match(code):
                raise DomainError("代碼請以小寫英文字母開頭，只用小寫英文字母、數字與底線。")
            if code in taken:
                raise DomainError(f"代碼「{code}」已經使用。")
        else:
            number = len(taken) + 1
            while f"slot_{number}" in taken:
                number += 1
            code = f"slot_{number}"
        last = existing.aggregate(last=Max("sort_order"))["last"] or 0
        slot = FormSlot.objects.create(
            certification_type=certification_type,
            code=code,
            label=label,
            sort_order=last + 1,
            template_codes=list(template_codes),
        )
        _audit(actor, certification_type, "新增表單項目", slot=code, label=label, template_codes=slot.template_codes)
        return slot


def save_rule_set(
    certification_type: CertificationType, *, from_academic_year: int, county, rules_data: list[dict], actor
) -> RuleSet:
    """Save the rules as a NEW version; earlier versions stay as they were (cases name them)."""
    if not rules_data:
        raise DomainError("請至少保留一條規則。")
    unknown = [rule["check"] for rule in rules_data if rule.get("check") not in rules.CHECKS]
    if unknown:
        raise DomainError(f"未知的檢核方式：{'、'.join(unknown)}")
    codes = [rule["code"] for rule in rules_data]
    if len(set(codes)) != len(codes):
        raise DomainError("規則代碼重複。")
    try:
        with transaction.atomic():
            # Two 管理者 saving at once take turns here; each gets its own version number.
            CertificationType.objects.select_for_update().get(pk=certification_type.pk)
            last = RuleSet.objects.filter(certification_type=certification_type).aggregate(last=Max("version"))
            saved = RuleSet.objects.create(
                certification_type=certification_type,
                county=county,
                from_academic_year=from_academic_year,
                version=(last["last"] or 0) + 1,
                rules=rules_data,
                created_by=actor,
            )
            _audit(
                actor,
                certification_type,
                "資格規則",
                version=saved.version,
                from_academic_year=from_academic_year,
                county=county.name if county is not None else "",
            )
            return saved
    except IntegrityError:
        raise DomainError("另一位管理者剛儲存了新版本，請重新整理後再儲存。") from None


def rule_sets_in_force(certification_type: CertificationType, year: int | None = None) -> list[RuleSet]:
    """For each scope (全國, then each county with rules of its own), the rule set in force in `year`."""
    year = year if year is not None else dates.current_academic_year()
    in_force: dict[int | None, RuleSet] = {}
    for rule_set in (
        RuleSet.objects.filter(certification_type=certification_type, from_academic_year__lte=year)
        .select_related("county")
        .order_by("-from_academic_year", "-version")
    ):
        in_force.setdefault(rule_set.county_id, rule_set)
    national = in_force.pop(None, None)
    counties = sorted(in_force.values(), key=lambda r: (r.county.sort_order, r.county.code))
    return ([national] if national else []) + counties
