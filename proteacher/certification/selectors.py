"""What a signed-in user may see of cases, and the rows the case pages draw. Every view and list
gets cases from here.

Out-of-scope cases are a 404, never a 403: a 臺中市 officer probing a 臺北市 case learns nothing.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import JSONField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from proteacher.accounts.models import Role, User
from proteacher.accounts.school_officers import live_schools_of
from proteacher.certification import slot_cache
from proteacher.certification.models import (
    Case,
    CaseEvent,
    Certificate,
    FormSlot,
    SlotAnswer,
    TrainingCertificate,
)
from proteacher.documents.catalogue import UnknownTemplate, get_template, title_of
from proteacher.registry.models import County, School


def all_cases() -> QuerySet[Case]:
    """Every case, with what the pages name (teacher, type, school, county) joined."""
    return Case.objects.select_related("teacher", "certification_type", "school", "county")


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The teacher's own cases, a 縣市's county's, all for 管理者. (What a 委員 may read is the
    back office's to say: review.selectors.)"""
    cases = all_cases()
    if not user.is_authenticated:
        return cases.none()
    if user.role == Role.ADMIN:
        return cases
    if user.role == Role.COUNTY and user.county_id is not None:
        return cases.filter(county_id=user.county_id)
    if user.role == Role.TEACHER:
        return cases.filter(teacher_id=user.pk)
    return cases.none()


def case_for(user: User, pk: int) -> Case:
    """A case the user may read: its teacher's, or the office's in scope (流程進度, the forms'
    print views and files). A 委員 reads assigned cases through the back office, never here."""
    if user.is_authenticated and user.role == Role.TEACHER:
        # What the teacher's pages name (type, school); the county is the office's.
        cases = Case.objects.select_related("certification_type", "school")
        return _read_by_its_teacher(get_object_or_404(cases, pk=pk, teacher_id=user.pk), user)
    return get_object_or_404(cases_visible_to(user), pk=pk)


def own_case_for(user: User, pk: int) -> Case:
    """A case of the signed-in teacher (the forms are the teacher's to edit and nobody else's)."""
    if not user.is_authenticated or user.role != Role.TEACHER:
        return get_object_or_404(Case.objects.none(), pk=pk)
    case = get_object_or_404(Case.objects.select_related("certification_type"), pk=pk, teacher_id=user.pk)
    return _read_by_its_teacher(case, user)


def _read_by_its_teacher(case: Case, user: User) -> Case:
    """The case's teacher is the signed-in user, already read for the request: no join reads the
    row again (the teacher's pages are the ones a deadline crowd opens)."""
    case.teacher = user
    return case


def own_case_for_draft(user: User, pk: int, slot_code: str, template_code: str) -> Case:
    """own_case_for, with what 自動儲存 checks read in the same query: `slot_templates` (the
    templates the slot offers; None when the type has no such slot) and `answer_revision` /
    `answer_version` (the slot's saved answer of that template; None while there is none), and
    `slot_filled_by` (who fills the slot: the teacher keeps no draft of the school's 推薦表)."""
    if not user.is_authenticated or user.role != Role.TEACHER:
        return get_object_or_404(Case.objects.none(), pk=pk)
    slot = FormSlot.objects.filter(certification_type_id=OuterRef("certification_type_id"), code=slot_code)
    answer = SlotAnswer.objects.filter(case_id=OuterRef("pk"), slot_code=slot_code, template_code=template_code)
    cases = Case.objects.filter(teacher_id=user.pk).annotate(
        slot_templates=Subquery(slot.values("template_codes")[:1], output_field=JSONField()),
        slot_filled_by=Subquery(slot.values("filled_by")[:1]),
        answer_revision=Subquery(answer.values("revision")[:1]),
        answer_version=Subquery(answer.values("template_version")[:1]),
    )
    return _read_by_its_teacher(get_object_or_404(cases, pk=pk), user)


def certificates_held_by(user: User) -> QuerySet[Certificate]:
    """個人資訊 → 認證證號: the user's own certificates (imported, issued, back-filled), by year."""
    return (
        Certificate.objects.filter(teacher_id=user.pk)
        .select_related("certification_type")
        .order_by("academic_year", "id")
    )


def own_certificate_with_pdf(user: User, pk: int) -> Certificate:
    """One of the user's certificates issued here (the ones with a PDF); any other is a 404."""
    certificates = certificates_held_by(user).filter(source=Certificate.Source.ISSUED).select_related("teacher")
    return get_object_or_404(certificates, pk=pk)


def issued_certificate(case: Case) -> Certificate | None:
    """The certificate issued for a case, or None."""
    certificates = Certificate.objects.select_related("certification_type", "teacher")
    return certificates.filter(case=case, source=Certificate.Source.ISSUED).first()


def certificate_of_case(case: Case) -> Certificate:
    """The certificate issued for a case the caller may already read; a 404 when it has none."""
    certificate = issued_certificate(case)
    if certificate is None:
        raise Http404
    return certificate


def training_certificates_of(user: User) -> QuerySet[TrainingCertificate]:
    """The 數位研習證明 granted to the user with each certificate issued here, newest first."""
    return TrainingCertificate.objects.filter(teacher_id=user.pk).order_by("-issued_at", "-id")


def slot_of(case: Case, slot_code: str) -> FormSlot:
    found = next((slot for slot in case_slots(case) if slot.code == slot_code), None)
    if found is None:
        raise Http404("沒有這個表單項目。")
    return found


def case_slots(case: Case) -> list[FormSlot]:
    """The case type's slots in the order of 編輯表單列表 (kept per process: slot_cache); for a
    case opened by an application route that names its slots (換證), those only."""
    slots = slot_cache.slots_of_type(case.certification_type)
    return [slot for slot in slots if in_route(case, slot.code)]


def in_route(case: Case, slot_code: str) -> bool:
    """Whether the case's application route asks for this slot (a route that names none asks for all)."""
    chosen = ((case.eligibility or {}).get("route") or {}).get("slot_codes")
    return not chosen or slot_code in chosen


# --- what the case pages draw ---------------------------------------------------------------------


def template_title(code: str, version: int | None) -> str:
    """The title of the version an answer was made with: an old case keeps its old names."""
    try:
        return get_template(code, version).title
    except UnknownTemplate:
        return title_of(code)


@dataclass
class SlotRow:
    """One line of a case's form list (編輯表單列表, the office's and the 委員's 表單列表)."""

    slot: FormSlot
    answer: SlotAnswer | None
    # The slot's answers with other templates, kept when the teacher chose another one.
    set_aside: list[SlotAnswer] = field(default_factory=list)

    @cached_property
    def title(self) -> str:
        return template_title(self.answer.template_code, self.answer.template_version) if self.answer else ""

    @cached_property
    def status(self) -> str:
        if self.answer is None:
            return "待學校填寫" if self.slot.is_filled_by_school else "未填寫"
        return "已完成" if self.answer.is_complete else "尚未完成"

    @cached_property
    def is_upload(self) -> bool:
        """A file is stored (an upload template's answer)."""
        return bool(self.answer and self.answer.file)

    @cached_property
    def is_online(self) -> bool:
        """An online form is stored (it opens in its print view)."""
        if self.answer is None:
            return False
        try:
            return not get_template(self.answer.template_code, self.answer.template_version).is_upload
        except UnknownTemplate:
            return False


def slot_rows(case: Case, *, with_set_aside: bool = False) -> list[SlotRow]:
    """Every slot of the case's type with its answer in use, if any (and, for the teacher's own
    list, the answers set aside): two queries whatever the slot count."""
    # The answers' JSON can be large (a Flanders code list, long notes) and the list needs none of it.
    found = SlotAnswer.objects.filter(case=case).defer("data").order_by("-updated_at", "-id")
    if not with_set_aside:
        found = found.in_use()
    rows = {slot.code: SlotRow(slot, None) for slot in case_slots(case)}
    for answer in found:
        row = rows.get(answer.slot_code)
        if row is None:
            continue
        if answer.in_use:
            row.answer = answer
        else:
            row.set_aside.append(answer)
    return list(rows.values())


def answer_in_use(case: Case, slot: FormSlot) -> SlotAnswer | None:
    return SlotAnswer.objects.in_use().filter(case=case, slot_code=slot.code).first()


def own_case_with_slot_answers(user: User, pk: int, slot_code: str) -> tuple[Case, list[SlotAnswer]]:
    """own_case_for and every answer of one of its slots, one per template it was filled with (a
    few rows at most), for a form page: one query while the slot has answers (each read with its
    case and type), the case alone while it has none."""
    if not user.is_authenticated or user.role != Role.TEACHER:
        return own_case_for(user, pk), []
    found = list(
        SlotAnswer.objects.filter(case_id=pk, case__teacher_id=user.pk, slot_code=slot_code).select_related(
            "case__certification_type"
        )
    )
    if not found:
        return own_case_for(user, pk), []
    case = _read_by_its_teacher(found[0].case, user)
    for answer in found:
        answer.case = case
    return case, found


def answer_with(case: Case, slot: FormSlot, template_code: str, *, set_aside_only: bool = False) -> SlotAnswer | None:
    """The slot's answer made with one template (in use or set aside; or set aside only)."""
    found = SlotAnswer.objects.filter(case=case, slot_code=slot.code, template_code=template_code)
    return (found.filter(in_use=False) if set_aside_only else found).first()


def certificates_visible_to(user: User) -> QuerySet[Certificate]:
    """The certificates the office may read: all for 管理者; for a 縣市 those numbered in its county
    (issued here for its cases) and, of those that carry no county (imported from the old system,
    back-filled), the ones held by its teachers. Nobody else reads anyone's but their own."""
    certificates = Certificate.objects.select_related("certification_type", "teacher", "county")
    if not user.is_authenticated:
        return certificates.none()
    if user.role == Role.ADMIN:
        return certificates
    if user.role == Role.COUNTY and user.county_id is not None:
        return certificates.filter(
            Q(county_id=user.county_id) | Q(county__isnull=True, teacher__county_id=user.county_id)
        )
    if user.role == Role.TEACHER:
        return certificates.filter(teacher_id=user.pk)
    return certificates.none()


def county_in_scope(user: User, county_code: str) -> County:
    """A county an office user may act for: a 縣市 their own only (another one: 404), 管理者 any."""
    county = get_object_or_404(County, code=county_code)
    if user.role == Role.COUNTY and county.pk != user.county_id:
        raise Http404
    return county


# --- the school's view (學校承辦人) -----------------------------------------------------------------


def school_of_officer(user: User, school_code: str) -> School:
    """A school the user holds a live 學校承辦人 grant for; any other school, and any school for a
    teacher without a grant, is a 404 (the caller lets teachers only in: other roles are a 403)."""
    return get_object_or_404(live_schools_of(user), code=school_code)


def school_cases(school: School, *, academic_year: int | None = None, type_code: str = "") -> QuerySet[Case]:
    """The 認證總表: the cases opened at the school (Case.school, where the teacher worked when
    applying), with 送出日 (the first 送出審查文件) read in the same query. Nothing of the review:
    no reviewer, no form."""
    first_sent = CaseEvent.objects.filter(case=OuterRef("pk"), action="submit").order_by("at").values("at")[:1]
    cases = (
        Case.objects.filter(school=school)
        .select_related("teacher", "certification_type")
        .annotate(first_sent_at=Subquery(first_sent))
        .order_by("-academic_year", "certification_type__sort_order", "teacher__name", "pk")
    )
    if academic_year:
        cases = cases.filter(academic_year=academic_year)
    if type_code:
        cases = cases.filter(certification_type__code=type_code)
    return cases


def school_case_for(school: School, pk: int) -> Case:
    """A case of the school (the 推薦表's page); a case of another school is a 404."""
    return get_object_or_404(
        Case.objects.select_related("teacher", "certification_type", "school"), pk=pk, school=school
    )


def school_slot_of(case: Case) -> FormSlot:
    """The slot of the case the school fills (the 推薦表); a 404 for a type that has none."""
    found = next((slot for slot in case_slots(case) if slot.is_filled_by_school), None)
    if found is None:
        raise Http404("此申請不需要學校推薦表。")
    return found


def school_slot_states(cases: list[Case]) -> dict[int, str]:
    """For each listed case whose type has a slot the school fills: 已完成, 尚未完成 or 待學校填寫
    (one query for the page)."""
    wanted = {case.pk: slot.code for case in cases for slot in case_slots(case) if slot.is_filled_by_school}
    if not wanted:
        return {}
    found = SlotAnswer.objects.in_use().filter(case_id__in=wanted, slot_code__in=set(wanted.values()))
    done = {
        case_id: complete
        for case_id, code, complete in found.values_list("case_id", "slot_code", "is_complete")
        if wanted.get(case_id) == code
    }
    states = {True: "已完成", False: "尚未完成"}
    return {pk: states[done[pk]] if pk in done else "待學校填寫" for pk in wanted}
