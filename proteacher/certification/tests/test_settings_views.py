"""認證設定: 管理者 edits types' texts, their 表單項目 and their 資格規則 (as new versions)."""

import html
import re

import pytest
from django.urls import reverse

from proteacher import dates
from proteacher.certification import rules, workflow
from proteacher.certification.models import CertificationType, FormSlot, RuleSet, SlotAnswer
from proteacher.certification.tests.test_rules import eligible_for_advanced
from proteacher.documents import catalogue
from proteacher.errors import DomainError

pytestmark = pytest.mark.django_db

SETTINGS = reverse("certification:settings")
ADVANCED = reverse("certification:settings_type", args=["advanced"])
RULES = reverse("certification:settings_rules", args=["advanced"])

TEMPLATES = [
    catalogue.FormTemplate("implementation_proof", 1, "公開授課實施證明", "upload", {}),
    catalogue.FormTemplate("community_proof", 1, "教師專業學習社群參與證明", "upload", {}),
    catalogue.FormTemplate("anecdotal_record", 1, "軼事紀錄表", "online", {}),
    catalogue.FormTemplate("flanders", 1, "佛蘭德斯互動分析法量化分析表", "online", {}),
]


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def known_templates(monkeypatch):
    # A fixed catalogue: what the check boxes offer must not depend on the definitions of the day.
    monkeypatch.setattr(
        catalogue,
        "all_templates",
        lambda audience="teacher": [t for t in TEMPLATES if audience is None or t.audience == audience],
    )


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return admin_user


def advanced() -> CertificationType:
    return CertificationType.objects.get(code="advanced")


# --- who may open the settings -------------------------------------------------------------

ROUTES = [SETTINGS, ADVANCED, RULES]


@pytest.mark.parametrize("url", ROUTES)
@pytest.mark.parametrize("persona", ["teacher", "taipei_officer", "reviewer"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_admins_may_open_or_change_settings(client, request, url, persona, method):
    client.force_login(request.getfixturevalue(persona))

    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("url", ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", ROUTES)
def test_admins_open_every_settings_page(client, admin, url):
    assert client.get(url).status_code == 200


def test_an_unknown_type_is_not_found(client, admin):
    assert client.get(reverse("certification:settings_type", args=["nothing"])).status_code == 404
    assert client.get(reverse("certification:settings_rules", args=["nothing"])).status_code == 404


def test_workspace_links_the_settings_for_admins(client, admin):
    assert f'href="{SETTINGS}"' in page(client.get(reverse("portal:workspace")))


@pytest.mark.parametrize("persona", ["teacher", "taipei_officer", "reviewer"])
def test_workspace_hides_the_settings_from_everyone_else(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert f'href="{SETTINGS}"' not in page(client.get(reverse("portal:workspace")))


# --- the list of types ---------------------------------------------------------------------


def test_the_list_shows_each_types_names_letter_and_whether_open(client, admin):
    CertificationType.objects.filter(code="mentor").update(is_open=False)

    text = page(client.get(SETTINGS))

    rows = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr>(.*?)</tr>", text, re.S)]
    assert rows[0] == "認證名稱 簡稱 證號字母 開放申請 操作"
    assert rows[1].startswith("初階專業回饋人才認證 初階認證 A 開放")
    assert rows[2].startswith("進階專業回饋人才認證 進階認證 B 開放")
    assert rows[3].startswith("教學輔導教師認證 教學輔導教師認證 C 未開放")
    assert f'href="{ADVANCED}"' in text and f'href="{RULES}"' in text


# --- a type's texts ------------------------------------------------------------------------

TEXTS = {
    "action": "type",
    "name": "進階專業回饋人才認證（新制）",
    "short_name": "進階認證",
    "certificate_letter": "b",
    "training_name": "進階專業回饋人才",
    # The page posts the 審查標準表 on show (the type's own).
    "review_template_code": "review_advanced",
    "is_open": "on",
}


def test_saving_the_texts_changes_the_type(client, admin):
    response = client.post(ADVANCED, TEXTS)

    kind = advanced()
    assert response.url == ADVANCED
    assert (kind.name, kind.certificate_letter, kind.is_open) == ("進階專業回饋人才認證（新制）", "B", True)


def test_unticking_open_closes_applications(client, admin):
    client.post(ADVANCED, {key: value for key, value in TEXTS.items() if key != "is_open"})

    assert advanced().is_open is False


def test_a_letter_that_is_not_a_letter_is_refused(client, admin):
    text = page(client.post(ADVANCED, {**TEXTS, "certificate_letter": "3"}))

    assert "證號字母請輸入一個英文字母。" in text
    assert advanced().certificate_letter == "B"


def test_a_refused_edit_keeps_the_heading(client, admin):
    text = page(client.post(ADVANCED, {**TEXTS, "certificate_letter": "3"}))

    assert re.search(r"<h1[^>]*>進階專業回饋人才認證</h1>", text)


def test_an_empty_name_is_refused(client, admin):
    text = page(client.post(ADVANCED, {**TEXTS, "name": ""}))

    assert "請輸入認證名稱。" in text
    assert advanced().name == "進階專業回饋人才認證"


# --- 表單項目 ---------------------------------------------------------------------------------


def slot(code: str) -> FormSlot:
    return FormSlot.objects.get(certification_type__code="advanced", code=code)


def slots_post(changes: dict[str, dict] | None = None) -> dict:
    """The slots form as the page posts it, with `changes` per slot code."""
    data = {"action": "slots"}
    for each in advanced().slots.all():
        values = {"label": each.label, "sort_order": each.sort_order, "template_codes": each.template_codes}
        values.update((changes or {}).get(each.code, {}))
        for key, value in values.items():
            if value is not None and value is not False:
                data[f"slot-{each.pk}-{key}"] = value
    return data


def answer_in(slot_code: str, teacher) -> SlotAnswer:
    case = workflow.open_case(teacher, advanced(), dates.current_academic_year(), {})
    # A bare answer row: only its existence matters here, not its content.
    return SlotAnswer.objects.create(
        case=case, slot_code=slot_code, template_code="community_proof", template_version=1
    )


def test_each_slot_offers_the_catalogues_templates_as_check_boxes(client, admin):
    text = page(client.get(ADVANCED))

    pk = slot("community").pk
    boxes = re.findall(rf'<input type="checkbox" name="slot-{pk}-template_codes" value="([a-z_0-9]+)"([^>]*)>', text)
    assert [value for value, _ in boxes] == [t.code for t in TEMPLATES]
    assert [value for value, attrs in boxes if "checked" in attrs] == ["community_proof"]
    assert "教師專業學習社群參與證明（上傳）" in text and "軼事紀錄表（線上填寫）" in text


def test_a_chosen_template_the_catalogue_lacks_is_kept_and_shown(client, admin):
    text = page(client.get(ADVANCED))

    # advanced_checklist is not in this test's catalogue, yet 認證檢核表 uses it.
    assert "advanced_checklist（尚無表件定義）" in text


def test_saving_slots_changes_label_order_and_templates(client, admin):
    client.post(
        ADVANCED,
        slots_post(
            {
                "community": {
                    "label": "社群參與證明（含照片）",
                    "sort_order": 9,
                    "template_codes": ["community_proof", "anecdotal_record"],
                }
            }
        ),
    )

    changed = slot("community")
    assert (changed.label, changed.sort_order) == ("社群參與證明（含照片）", 9)
    assert changed.template_codes == ["community_proof", "anecdotal_record"]


def test_the_drop_down_order_of_kept_templates_is_kept(client, admin):
    changed = slot("community")
    changed.template_codes = ["flanders", "community_proof"]
    changed.save(update_fields=["template_codes"])

    client.post(
        ADVANCED, slots_post({"community": {"template_codes": ["community_proof", "flanders", "anecdotal_record"]}})
    )

    assert slot("community").template_codes == ["flanders", "community_proof", "anecdotal_record"]


def test_a_slot_needs_at_least_one_template(client, admin):
    text = page(client.post(ADVANCED, slots_post({"community": {"template_codes": None}})))

    assert "請至少選擇一種表件。" in text
    assert slot("community").template_codes == ["community_proof"]


def test_a_slot_nobody_answered_can_be_removed(client, admin):
    response = client.post(ADVANCED, slots_post({"community": {"remove": "on"}}))

    assert response.status_code == 302
    assert not FormSlot.objects.filter(certification_type__code="advanced", code="community").exists()


def test_a_slot_with_an_answer_cannot_be_removed(client, admin, teacher):
    answer_in("community", teacher)

    client.post(ADVANCED, slots_post({"community": {"remove": "on"}}))

    assert FormSlot.objects.filter(certification_type__code="advanced", code="community").exists()


def test_the_remove_box_of_an_answered_slot_is_disabled_and_says_why(client, admin, teacher):
    answer_in("community", teacher)

    text = page(client.get(ADVANCED))

    pk = slot("community").pk
    assert re.search(rf'<input type="checkbox" name="slot-{pk}-remove"[^>]* disabled', text)
    assert "已有申請案填寫此項目，無法刪除。" in text


def test_the_service_refuses_removing_an_answered_slot(teacher):
    from proteacher.certification import services

    answer_in("community", teacher)
    change = {
        "slot": slot("community"),
        "label": "社群參與證明",
        "sort_order": 2,
        "template_codes": ["x"],
        "remove": True,
    }

    with pytest.raises(DomainError) as refusal:
        services.update_slots(advanced(), [change])

    assert refusal.value.message == "「社群參與證明」已有申請案填寫，無法刪除。"


def test_adding_a_slot_puts_it_last_with_a_code(client, admin):
    response = client.post(
        ADVANCED, {"action": "add_slot", "new-label": "公開授課照片", "new-template_codes": ["anecdotal_record"]}
    )

    added = advanced().slots.order_by("-sort_order").first()
    assert response.status_code == 302
    assert (added.label, added.code, added.sort_order) == ("公開授課照片", "slot_7", 7)
    assert added.template_codes == ["anecdotal_record"]


def test_a_new_slot_may_name_its_code(client, admin):
    client.post(
        ADVANCED,
        {"action": "add_slot", "new-label": "公開授課照片", "new-code": "photos", "new-template_codes": ["flanders"]},
    )

    assert slot("photos").label == "公開授課照片"


def test_a_new_slot_cannot_take_a_used_code(client, admin):
    text = page(
        client.post(
            ADVANCED,
            {"action": "add_slot", "new-label": "重複", "new-code": "community", "new-template_codes": ["flanders"]},
        )
    )

    assert "代碼「community」已經使用。" in text
    assert advanced().slots.count() == 6


def test_a_new_slot_keeps_what_was_typed_when_refused(client, admin):
    text = page(client.post(ADVANCED, {"action": "add_slot", "new-label": "公開授課照片"}))

    assert "請至少選擇一種表件。" in text
    assert 'value="公開授課照片"' in text


# --- 資格規則 ---------------------------------------------------------------------------------


def current_rules() -> RuleSet:
    return RuleSet.objects.filter(certification_type__code="advanced").order_by("-version").first()


def rules_post(**overrides) -> dict:
    """The rules form exactly as the page fills it from the rules in force."""
    base = current_rules()
    data = {"action": "save", "rule_count": str(len(base.rules)), "from_academic_year": "115", "county": ""}
    for index, rule in enumerate(base.rules):
        prefix = f"rule-{index}-"
        data.update({prefix + "code": rule["code"], prefix + "check": rule["check"]})
        data.update({prefix + "item": rule["item"], prefix + "condition": rule["condition"]})
        for name, value in rule["params"].items():
            if name == "windows":
                for row, window in enumerate(value):
                    data[f"{prefix}p_windows_{row}_from"] = window["from"] or ""
                    data[f"{prefix}p_windows_{row}_to"] = window["to"] or ""
                    data[f"{prefix}p_windows_{row}_hours"] = str(window["hours"])
            elif value is not None:
                data[f"{prefix}p_{name}"] = value if isinstance(value, list) else str(value)
    data.update(overrides)
    return data


def test_the_page_shows_the_rules_in_force(client, admin):
    text = page(client.get(RULES))

    in_force = text[text.index("學年度適用的規則") : text.index("儲存新版本")]
    assert "全國" in in_force and "108學年度起" in in_force
    assert "1.108年7月以後，18小時 2.107年7月至108年6月，15小時" in in_force
    assert "研習期間與應達時數：2019-07-01以後 18 小時；2018-07-01至2019-06-30 15 小時" in in_force


def test_the_form_is_filled_with_the_rules_in_force(client, admin):
    text = page(client.get(RULES))

    assert 'name="rule-4-p_windows_0_hours" value="18"' in text
    assert 'name="rule-4-p_windows_1_from" value="2018-07-01"' in text
    assert re.search(r'name="rule-3-p_categories" value="basic"[^>]* checked', text)
    assert 'name="rule_count" value="6"' in text
    assert f'name="from_academic_year" value="{dates.current_academic_year()}"' in text


def test_saving_the_form_unchanged_gives_a_new_version_with_the_same_rules(client, admin):
    before = current_rules()

    response = client.post(RULES, rules_post())

    after = current_rules()
    assert response.url == RULES
    assert after.version == before.version + 1
    assert after.rules == before.rules
    assert (after.from_academic_year, after.county, after.created_by) == (115, None, admin)


def test_a_new_version_leaves_the_old_one_untouched(client, admin):
    before = current_rules()
    old_rules = before.rules

    client.post(RULES, rules_post(**{"rule-4-p_windows_0_hours": "17.5"}))

    before.refresh_from_db()
    assert before.rules == old_rules


def test_typed_parameters_are_stored_as_numbers_dates_and_codes(client, admin):
    client.post(
        RULES,
        rules_post(
            **{
                "rule-4-p_windows_0_hours": "17.5",
                "rule-4-p_windows_2_from": "2024-08-01",
                "rule-4-p_windows_2_hours": "20",
                "rule-1-p_years": "4",
                "rule-3-p_from_academic_year": "",
                "rule-5-p_categories": ["advanced"],
            }
        ),
    )

    saved = {rule["code"]: rule for rule in current_rules().rules}
    assert saved["hours"]["params"]["windows"] == [
        {"from": "2019-07-01", "to": None, "hours": 17.5},
        {"from": "2018-07-01", "to": "2019-06-30", "hours": 15},
        {"from": "2024-08-01", "to": None, "hours": 20},
    ]
    assert saved["formal_years"]["params"] == {"years": 4}
    assert saved["prerequisite"]["params"]["from_academic_year"] is None
    assert saved["training_years"]["params"]["categories"] == ["advanced"]


def test_item_and_condition_texts_are_saved(client, admin):
    client.post(RULES, rules_post(**{"rule-0-item": "身分", "rule-0-condition": "現職專任正式教師"}))

    first = current_rules().rules[0]
    assert (first["item"], first["condition"]) == ("身分", "現職專任正式教師")


def test_the_new_version_decides_the_next_evaluation(client, admin, teacher):
    eligible_for_advanced(teacher, hours_day=dates.today())
    client.post(RULES, rules_post(**{"rule-2-p_years": "20"}))

    evaluation = rules.evaluate(teacher, advanced())

    assert evaluation.rule_set == current_rules()
    assert [row.code for row in evaluation.failing_rows] == ["teaching_years"]


def test_a_county_version_applies_to_that_countys_teachers_only(client, admin, teacher, taichung_teacher, taipei):
    client.post(RULES, rules_post(county=str(taipei.pk), **{"rule-2-p_years": "20"}))

    assert current_rules().county == taipei
    assert rules.evaluate(teacher, advanced()).rule_set == current_rules()
    assert rules.evaluate(taichung_teacher, advanced()).rule_set.county is None


def test_negative_hours_are_refused_and_nothing_is_saved(client, admin):
    versions = RuleSet.objects.count()

    text = page(client.post(RULES, rules_post(**{"rule-4-p_windows_0_hours": "-1"})))

    assert RuleSet.objects.count() == versions
    assert "資料有誤，請依欄位下方的說明修正後再儲存。" in text
    assert 'name="rule-4-p_windows_0_hours" value="-1"' in text


def test_a_window_without_hours_is_refused(client, admin):
    versions = RuleSet.objects.count()

    text = page(client.post(RULES, rules_post(**{"rule-4-p_windows_2_from": "2024-08-01"})))

    assert "請填寫此期間應達的時數。" in text
    assert RuleSet.objects.count() == versions


def test_a_window_ending_before_it_starts_is_refused(client, admin):
    text = page(
        client.post(
            RULES,
            rules_post(
                **{
                    "rule-4-p_windows_2_from": "2024-08-01",
                    "rule-4-p_windows_2_to": "2024-07-01",
                    "rule-4-p_windows_2_hours": "3",
                }
            ),
        )
    )

    assert "結束日期不可早於開始日期。" in text


def test_a_missing_start_year_is_refused(client, admin):
    text = page(client.post(RULES, rules_post(from_academic_year="")))

    assert "請輸入適用起始學年度。" in text


def test_a_rule_can_be_removed_in_the_new_version(client, admin):
    client.post(RULES, rules_post(**{"rule-5-remove": "on"}))

    assert [rule["code"] for rule in current_rules().rules] == [
        "identity",
        "formal_years",
        "teaching_years",
        "prerequisite",
        "hours",
    ]


def test_adding_a_rule_keeps_what_was_typed_and_saves_nothing(client, admin):
    versions = RuleSet.objects.count()

    text = page(client.post(RULES, rules_post(action="add_rule", check="teaching_years", **{"rule-0-item": "身分"})))

    assert RuleSet.objects.count() == versions
    assert re.search(r'name="rule-0-item" value="身分"', text)
    assert 'name="rule_count" value="7"' in text
    assert 'name="rule-6-code" value="teaching_years_2"' in text
    assert "規則 7：實際教學年資" in text


def test_an_added_rule_is_saved_with_the_next_version(client, admin):
    data = rules_post(
        rule_count="7",
        **{
            "rule-6-code": "teaching_years_2",
            "rule-6-check": "teaching_years",
            "rule-6-item": "任教年資",
            "rule-6-condition": "本縣市任教滿1年",
            "rule-6-p_years": "1",
        },
    )

    client.post(RULES, data)

    assert current_rules().rules[-1] == {
        "code": "teaching_years_2",
        "item": "任教年資",
        "condition": "本縣市任教滿1年",
        "check": "teaching_years",
        "params": {"years": 1},
    }


def test_every_version_is_listed_read_only(client, admin):
    client.post(RULES, rules_post(**{"rule-0-condition": "第二版條件"}))

    text = page(client.get(RULES))

    listed = text[text.index("所有版本") :]
    versions = re.findall(r"<summary>第(\d+)版", listed)
    assert versions == [str(current_rules().version), str(current_rules().version - 1)]
    assert "第二版條件" in listed and "現職正式教師" in listed
    assert "<input" not in listed


def test_an_older_version_can_be_the_draft(client, admin):
    old = current_rules()
    client.post(RULES, rules_post(**{"rule-0-condition": "第二版條件"}))

    text = page(client.get(RULES, {"base": old.pk}))

    assert f"以第{old.version}版" in text
    assert "現職正式教師</textarea>" in text


def test_the_seed_rule_shape_round_trips_through_every_check(client, admin):
    """Each shipped type's rules, posted back unchanged, are stored unchanged."""
    for kind in CertificationType.objects.all():
        base = RuleSet.objects.filter(certification_type=kind).order_by("-version").first()
        url = reverse("certification:settings_rules", args=[kind.code])
        form = page(client.get(url))
        data = {"action": "save", "rule_count": str(len(base.rules)), "from_academic_year": "115", "county": ""}
        for name, value in re.findall(
            r'<input type="(?:hidden|number|text|date)" name="(rule-[^"]+)"[^>]*?value="([^"]*)"', form
        ):
            data[name] = value
        for name, value in re.findall(r'<input type="checkbox" name="(rule-[^"]+)" value="([^"]*)"[^>]*checked', form):
            data.setdefault(name, [])
            data[name].append(value)
        for name, value in re.findall(r'<textarea name="(rule-[^"]+)"[^>]*>\n?(.*?)</textarea>', form, re.S):
            data[name] = value
        for name, value in re.findall(
            r'<select name="(rule-[^"]+)"[^>]*>.*?<option value="([^"]*)" selected', form, re.S
        ):
            data[name] = value

        assert client.post(url, data).status_code == 302

        saved = RuleSet.objects.filter(certification_type=kind).order_by("-version").first()
        assert (saved.version, saved.rules) == (base.version + 1, base.rules)


def test_rules_need_a_known_check():
    from proteacher.certification import services

    with pytest.raises(DomainError):
        services.save_rule_set(
            advanced(),
            from_academic_year=115,
            county=None,
            rules_data=[{"code": "x", "item": "x", "condition": "x", "check": "nothing", "params": {}}],
            actor=None,
        )


def test_versions_count_per_type(admin_user):
    from proteacher.certification import services

    kind = CertificationType.objects.get(code="mentor")
    last = RuleSet.objects.filter(certification_type=kind).order_by("-version").first()

    saved = services.save_rule_set(kind, from_academic_year=115, county=None, rules_data=last.rules, actor=admin_user)

    assert saved.version == last.version + 1


def test_a_rule_needs_at_least_one_window(client, admin):
    data = rules_post()
    for row in range(2):
        for part in ("from", "to", "hours"):
            data[f"rule-4-p_windows_{row}_{part}"] = ""

    text = page(client.post(RULES, data))

    assert "請至少填寫一個研習期間與應達時數。" in text
