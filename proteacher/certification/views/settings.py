"""認證設定 (管理者): certification types' texts, their 表單項目 and their 資格規則."""

import copy

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from proteacher import dates
from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.certification import rules, services
from proteacher.certification.models import CertificationType, RuleSet
from proteacher.certification.settings_forms import (
    NewRuleForm,
    NewSlotForm,
    NewTypeForm,
    RuleForm,
    RuleSetForm,
    SlotForm,
    TypeForm,
)
from proteacher.documents import catalogue
from proteacher.errors import DomainError


@roles_required(Role.ADMIN)
def type_list(request):
    return render(request, "certification/settings_list.html", {"types": CertificationType.objects.all()})


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def type_new(request):
    """新增認證類別: its names, letter and reviewers' form; then its 表單項目 and 資格規則 on its pages."""
    form = NewTypeForm(request.POST or None, initial={"is_open": True})
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.create_type(**form.cleaned_data, actor=request.user)
            except DomainError as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(request, f"已新增「{created.name}」，請新增表單項目並設定資格規則。")
                return redirect("certification:settings_type", type_code=created.code)
        else:
            messages.error(request, "資料有誤，請依欄位下方的說明修正後再送出。")
    return render(request, "certification/settings_new.html", {"form": form}, status=400 if form.errors else 200)


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def type_edit(request, type_code):
    """One page, three forms: 基本資料, 表單項目 (edit or remove), 新增表單項目."""
    certification_type = get_object_or_404(CertificationType, code=type_code)
    action = request.POST.get("action") if request.method == "POST" else None
    in_use = services.slots_in_use(certification_type)
    slots = list(certification_type.slots.all())

    # A copy: an invalid POST must not rename the type in the page's heading.
    type_form = TypeForm(request.POST if action == "type" else None, instance=copy.copy(certification_type))
    slot_forms = [
        SlotForm(request.POST if action == "slots" else None, slot=slot, in_use=slot.code in in_use) for slot in slots
    ]
    new_slot_form = NewSlotForm(request.POST if action == "add_slot" else None)

    refused = False
    try:
        if action == "type" and type_form.is_valid():
            services.update_type(certification_type, **type_form.cleaned_data, actor=request.user)
            messages.success(request, "基本資料已儲存。")
            return redirect("certification:settings_type", type_code=type_code)
        if action == "slots" and all(form.is_valid() for form in slot_forms):
            services.update_slots(certification_type, [form.change() for form in slot_forms], actor=request.user)
            messages.success(request, "表單項目已儲存。")
            return redirect("certification:settings_type", type_code=type_code)
        if action == "add_slot" and new_slot_form.is_valid():
            slot = services.add_slot(certification_type, **new_slot_form.cleaned_data, actor=request.user)
            messages.success(request, f"已新增表單項目「{slot.label}」。")
            return redirect("certification:settings_type", type_code=type_code)
    except DomainError as refusal:
        messages.error(request, refusal.message)
        refused = True
    if action and not refused:
        messages.error(request, "資料有誤，請依欄位下方的說明修正後再送出。")
    titles = {template.code: template.title for template in catalogue.all_templates(audience=None)}
    return render(
        request,
        "certification/settings_type.html",
        {
            "certification_type": certification_type,
            "routes": _routes(certification_type),
            "type_form": type_form,
            "slot_forms": slot_forms,
            "new_slot_form": new_slot_form,
            "titles": titles,
            "current_year": dates.current_academic_year(),
        },
    )


def _routes(certification_type) -> list[dict]:
    """申請方式: each route of the type with the 資格規則 it checks, named by their 項目 in the
    national rules in force (全部 when the route names none)."""
    rule_set = rules.applicable_rule_set(certification_type, None, dates.current_academic_year())
    items = {rule.get("code"): rule.get("item", "") for rule in (rule_set.rules if rule_set else [])}
    labels = {slot.code: slot.label for slot in certification_type.slots.all()}
    routes = []
    for route in certification_type.routes.all():
        if route.rule_codes:
            checked = "、".join(items.get(code, code) for code in route.rule_codes)
        else:
            checked = f"全部（{'、'.join(items.values())}）" if items else "全部"
        if route.slot_codes:
            slots = "、".join(labels.get(code, code) for code in route.slot_codes)
        else:
            slots = "全部"
        routes.append({"route": route, "rules": checked, "slots": slots})
    return routes


def _rule_forms_from_post(request) -> list[RuleForm]:
    try:
        count = min(int(request.POST.get("rule_count", "0")), 50)
    except ValueError:
        count = 0
    return [RuleForm(request.POST, index=index) for index in range(count)]


def _new_rule_code(check_name: str, forms: list[RuleForm]) -> str:
    taken = {form.data.get(form.add_prefix("code")) if form.is_bound else form.initial.get("code") for form in forms}
    code, number = check_name, 2
    while code in taken:
        code, number = f"{check_name}_{number}", number + 1
    return code


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def rules_edit(request, type_code):
    """The rules in force, every earlier version read-only, and a form that saves a NEW version."""
    certification_type = get_object_or_404(CertificationType, code=type_code)
    versions = list(
        RuleSet.objects.filter(certification_type=certification_type)
        .select_related("county", "created_by")
        .order_by("-version")
    )
    by_id = {rule_set.pk: rule_set for rule_set in versions}
    in_force = services.rule_sets_in_force(certification_type)
    base = by_id.get(_int(request.GET.get("base"))) or (in_force[0] if in_force else None)
    if not base and versions:
        base = versions[0]
    action = request.POST.get("action") if request.method == "POST" else None

    if action:
        header = RuleSetForm(request.POST)
        rule_forms = _rule_forms_from_post(request)
    else:
        header = RuleSetForm(
            initial={"from_academic_year": dates.current_academic_year(), "county": base.county_id if base else None}
        )
        rule_forms = [RuleForm(index=index, rule=rule) for index, rule in enumerate(base.rules if base else [])]
    new_rule = NewRuleForm(request.POST if action == "add_rule" else None)

    if action == "add_rule" and new_rule.is_valid():
        check_name = new_rule.cleaned_data["check"]
        spec = rules.CHECKS[check_name]
        rule = {"code": _new_rule_code(check_name, rule_forms), "check": check_name, "item": "", "condition": ""}
        rule_forms.append(RuleForm(index=len(rule_forms), rule=rule))
        # The rows typed so far stay bound (nothing is lost); only the new row starts empty.
        messages.info(request, f"已加入一條「{spec.label}」規則，填寫後請按儲存為新版本。")
    elif action == "save":
        kept = [form for form in rule_forms if not form.is_removed]
        if header.is_valid() and all(form.is_valid() for form in kept):
            try:
                saved = services.save_rule_set(
                    certification_type,
                    from_academic_year=header.cleaned_data["from_academic_year"],
                    county=header.cleaned_data["county"],
                    rules_data=[form.rule() for form in kept],
                    actor=request.user,
                )
            except DomainError as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(request, f"已儲存資格規則第{saved.version}版。")
                return redirect("certification:settings_rules", type_code=type_code)
        else:
            messages.error(request, "資料有誤，請依欄位下方的說明修正後再儲存。")

    return render(
        request,
        "certification/settings_rules.html",
        {
            "certification_type": certification_type,
            "in_force": [_described(rule_set) for rule_set in in_force],
            "versions": [_described(rule_set) for rule_set in versions],
            "in_force_ids": {rule_set.pk for rule_set in in_force},
            "base": base,
            "header": header,
            "rule_forms": rule_forms,
            "new_rule": new_rule,
            "current_year": dates.current_academic_year(),
        },
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _described(rule_set: RuleSet) -> dict:
    return {
        "rule_set": rule_set,
        "rules": [
            {
                "rule": rule,
                "check": rules.CHECKS[rule["check"]].label if rule.get("check") in rules.CHECKS else rule.get("check"),
                "params": rules.describe_params(rule),
            }
            for rule in rule_set.rules
        ],
    }
