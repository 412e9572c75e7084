"""The certification types, their form slots, rules and application routes as the platform first
ships them.

Loaded by data migrations; afterwards 管理者 edits them in the UI. Rule parameters follow
SPEC §5.1 (the seed's 進階 table) and the scheme's public defaults for 初階 and 教學輔導教師.
"""

OBSERVATION_PRE = ["pre_conference_a", "pre_conference_b", "other_pre_observation"]
OBSERVATION = [
    "observation_rubric_105",
    "observation_rubric_101",
    "anecdotal_record",
    "verbal_flow",
    "at_task",
    "teacher_movement",
    "flanders",
    "selective_verbatim",
]
OBSERVATION_POST = ["post_conference_a", "post_conference_b", "post_conference"]

ADVANCED_TRAINING = ["advanced", "advanced_practice"]
MENTOR_TRAINING = ["mentor", "mentor_practice"]

TYPES = [
    {
        "code": "basic",
        "name": "初階專業回饋人才認證",
        "short_name": "初階認證",
        "certificate_letter": "A",
        "training_name": "初階專業回饋人才",
        "review_template_code": "review_basic",
        "slots": [
            ("pre_conference", "觀察前會談紀錄表", OBSERVATION_PRE),
            ("observation", "觀察紀錄表", OBSERVATION),
            ("post_conference", "觀察後回饋會談紀錄表", OBSERVATION_POST),
        ],
        "rules": [
            {"code": "identity", "item": "身份", "condition": "現職教師", "check": "in_service_teacher", "params": {}},
            {
                "code": "hours",
                "item": "研習時數",
                "condition": "認證時當年度之初階專業回饋人才培訓 6小時",
                "check": "training_hours",
                "params": {
                    "categories": ["basic"],
                    "years_back": 0,
                    "windows": [{"from": None, "to": None, "hours": 6}],
                },
            },
            {
                "code": "training_years",
                "item": "研習年度",
                "condition": "認證時當年度之研習",
                "check": "training_recent",
                "params": {"categories": ["basic"], "years_back": 0},
            },
        ],
    },
    {
        "code": "advanced",
        "name": "進階專業回饋人才認證",
        "short_name": "進階認證",
        "certificate_letter": "B",
        "training_name": "進階專業回饋人才",
        "review_template_code": "review_advanced",
        "slots": [
            ("implementation", "實施證明", ["implementation_proof"]),
            ("community", "社群參與證明", ["community_proof"]),
            ("pre_conference", "觀察前會談紀錄表", OBSERVATION_PRE),
            ("observation", "觀察紀錄表", OBSERVATION),
            ("post_conference", "觀察後回饋會談紀錄表", OBSERVATION_POST),
            ("checklist", "認證檢核表", ["advanced_checklist"]),
        ],
        "rules": [
            {"code": "identity", "item": "身份", "condition": "現職正式教師", "check": "formal_teacher", "params": {}},
            {
                "code": "formal_years",
                "item": "正式教師年資",
                "condition": "滿3年以上",
                "check": "formal_years",
                "params": {"years": 3},
            },
            {
                "code": "teaching_years",
                "item": "實際教學年資",
                "condition": "滿3年以上",
                "check": "teaching_years",
                "params": {"years": 3},
            },
            {
                "code": "prerequisite",
                "item": "證號",
                "condition": "1.初階證號或106年以後之初階認證時數6小時(依照縣市規定)",
                "check": "certificate_or_training",
                "params": {"kind": "basic", "categories": ["basic"], "hours": 6, "from_academic_year": 106},
            },
            {
                "code": "hours",
                "item": "研習時數",
                "condition": "1.108年7月以後，18小時 2.107年7月至108年6月，15小時",
                "check": "training_hours",
                # The threshold is picked by when the training was completed (the day of the last
                # counted course): 15 hours when that falls from 107年7月 to 108年6月, when the
                # programme was shorter, 18 hours after; see rules.training_hours.
                "params": {
                    "categories": ADVANCED_TRAINING,
                    "years_back": 1,
                    "windows": [
                        {"from": "2019-07-01", "to": None, "hours": 18},
                        {"from": "2018-07-01", "to": "2019-06-30", "hours": 15},
                    ],
                },
            },
            {
                "code": "training_years",
                "item": "研習年度",
                "condition": "1.認證時當年度之研習 2.認證時前1年度之研習",
                "check": "training_recent",
                "params": {"categories": ADVANCED_TRAINING, "years_back": 1},
            },
        ],
    },
    {
        "code": "mentor",
        "name": "教學輔導教師認證",
        "short_name": "教學輔導教師認證",
        "certificate_letter": "C",
        "training_name": "教學輔導教師",
        "review_template_code": "review_mentor",
        # 教學輔導教師 certificates lapse after 10 years and are renewed (換證).
        "validity_years": 10,
        "slots": [
            ("pre_conference_1", "第一次公開授課 觀察前會談紀錄表", OBSERVATION_PRE),
            ("observation_1", "第一次公開授課 觀察紀錄表", OBSERVATION),
            ("post_conference_1", "第一次公開授課 觀察後回饋會談紀錄表", OBSERVATION_POST),
            ("pre_conference_2", "第二次公開授課 觀察前會談紀錄表", OBSERVATION_PRE),
            ("observation_2", "第二次公開授課 觀察紀錄表", OBSERVATION),
            ("post_conference_2", "第二次公開授課 觀察後回饋會談紀錄表", OBSERVATION_POST),
            ("mentoring_plan", "輔導計畫", ["mentoring_plan"]),
            ("mentoring_log_1", "平時輔導紀錄表（一）", ["mentoring_log"]),
            ("mentoring_log_2", "平時輔導紀錄表（二）", ["mentoring_log"]),
            ("mentoring_case", "輔導案例紀錄表", ["mentoring_case"]),
            ("checklist", "認證檢核表", ["mentor_checklist"]),
            # Filled online by the teacher's school (a 學校承辦人), not by the teacher.
            ("recommendation", "推薦表", ["school_recommendation"], {"filled_by": "school"}),
        ],
        "rules": [
            {"code": "identity", "item": "身份", "condition": "現職正式教師", "check": "formal_teacher", "params": {}},
            {
                "code": "formal_years",
                "item": "正式教師年資",
                "condition": "滿5年以上",
                "check": "formal_years",
                "params": {"years": 5},
            },
            {
                "code": "teaching_years",
                "item": "實際教學年資",
                "condition": "滿5年以上",
                "check": "teaching_years",
                "params": {"years": 5},
            },
            {
                "code": "prerequisite",
                "item": "證號",
                "condition": "進階專業回饋人才證書",
                "check": "certificate_or_training",
                "params": {"kind": "advanced", "categories": [], "hours": 0, "from_academic_year": None},
            },
            {
                "code": "hours",
                "item": "研習時數",
                "condition": "教學輔導教師培訓 30小時（24小時課程與6小時實務探討）",
                "check": "training_hours",
                "params": {
                    "categories": MENTOR_TRAINING,
                    "years_back": 2,
                    "windows": [{"from": None, "to": None, "hours": 30}],
                },
            },
            {
                "code": "training_years",
                "item": "研習年度",
                "condition": "認證時前3學年度內之研習",
                "check": "training_recent",
                "params": {"categories": MENTOR_TRAINING, "years_back": 2},
            },
        ],
        # The seed's 認證專區 offers 教學輔導教師認證 第一種申請方式 beside the type's own card.
        "routes": [
            {
                "code": "first",
                "name": "第一種申請方式",
                "description": (
                    "已取得進階專業回饋人才證書（或舊制進階認證證書）之現職正式教師，正式教師年資及實際教學年資均滿5年，"
                    "於認證前3學年度內完成教學輔導教師培訓30小時（24小時課程與6小時實務探討），"
                    "經學校會議審議推薦後提出申請。"
                ),
                # Every rule of the type in force: 進階 certificate, years of service, training hours.
                "rule_codes": [],
            }
        ],
    },
    {
        # 換證 (SPEC-FORMS, 教學輔導教師: validity and renewal): a case of its own that, at 發證, gives a
        # new 教學輔導教師 certificate (letter C, its numbers, 10 more years). Two routes, one to
        # choose, each with its own proofs; the school's recommendation and the 換證回流研習 in both.
        "code": "mentor_renewal",
        "name": "教學輔導教師換證",
        "short_name": "教學輔導教師換證",
        # Required of every type, unused: the new certificate is numbered with the renewed type's.
        "certificate_letter": "R",
        "training_name": "教學輔導教師換證回流",
        "review_template_code": "review_mentor_renewal",
        "renews": "mentor",
        # Installed by the migration that adds renewals (0018), on a model that knows these.
        "requires": ("renews",),
        "slots": [
            ("recommendation", "換證推薦表", ["school_recommendation"], {"filled_by": "school"}),
            ("refresher", "換證回流研習證明", ["renewal_refresher_proof"]),
            ("mentoring_duties", "輔導任務證明", ["renewal_mentoring_proof"]),
            ("practice_items", "專業實踐事項紀錄表", ["renewal_practice_items"]),
        ],
        "rules": [
            {"code": "identity", "item": "身份", "condition": "現職教師", "check": "in_service_teacher", "params": {}},
            {
                "code": "renewable",
                "item": "證號",
                "condition": "持有教學輔導教師證書，且證書將於12個月內到期或已過期",
                "check": "certificate_renewable",
                "params": {"kind": "mentor", "months": 12},
            },
        ],
        "routes": [
            {
                "code": "served",
                "name": "第一種換證方式",
                "description": (
                    "證書有效期間曾受邀擔任教學輔導教師並完成2次輔導任務者，經學校會議推薦，"
                    "參加換證回流研習後提出換證申請，上傳推薦表、輔導任務證明及回流研習證明。"
                ),
                "rule_codes": [],
                "slot_codes": ["recommendation", "refresher", "mentoring_duties"],
            },
            {
                "code": "practice",
                "name": "第二種換證方式",
                "description": (
                    "證書有效期間未完成輔導任務者，經學校會議推薦，參加換證回流研習並完成4項專業實踐事項，"
                    "上傳推薦表、回流研習證明及專業實踐事項紀錄表，經審查通過後換發證書。"
                ),
                "rule_codes": [],
                "slot_codes": ["recommendation", "refresher", "practice_items"],
            },
        ],
    },
]

# What a type row holds besides its code, slots and rules.
TYPE_FIELDS = ("name", "short_name", "certificate_letter", "training_name", "review_template_code", "validity_years")

# Rule sets shipped apply from this academic year on.
FIRST_ACADEMIC_YEAR = 108


def install(certification_type_model, form_slot_model, rule_set_model) -> None:
    """Create the shipped types, slots and rules that are missing (never overwrites edits).

    Takes the model classes so the data migration can pass its historical models and tests on
    a flushed database can pass the real ones; a field an older model lacks is left out.
    """
    known = {field.name for field in certification_type_model._meta.get_fields()}
    for order, spec in enumerate(TYPES, start=1):
        if not set(spec.get("requires", ())) <= known:
            continue  # a later migration installs it
        values = {key: spec[key] for key in TYPE_FIELDS if key in known and key in spec}
        if spec.get("renews"):
            values["renews"] = certification_type_model.objects.filter(code=spec["renews"]).first()
            if values["renews"] is None:
                continue  # the type it renews is not there
        kind, created = certification_type_model.objects.get_or_create(
            code=spec["code"], defaults={**values, "sort_order": order}
        )
        if not created:
            continue
        slot_fields = {field.name for field in form_slot_model._meta.get_fields()}
        for slot_order, (code, label, templates, *more) in enumerate(spec["slots"], start=1):
            # A field the migration's model lacks yet is left for the migration that adds it (0019).
            extra = {key: value for key, value in (more[0] if more else {}).items() if key in slot_fields}
            form_slot_model.objects.create(
                certification_type=kind,
                code=code,
                label=label,
                sort_order=slot_order,
                template_codes=templates,
                **extra,
            )
        next_version = (rule_set_model.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
        rule_set_model.objects.create(
            certification_type=kind, from_academic_year=FIRST_ACADEMIC_YEAR, version=next_version, rules=spec["rules"]
        )


def install_routes(certification_type_model, route_model) -> None:
    """Create the shipped application routes (申請方式) their type lacks (never overwrites edits)."""
    known = {field.name for field in route_model._meta.get_fields()}
    for spec in TYPES:
        kind = certification_type_model.objects.filter(code=spec["code"]).first()
        if kind is None:
            continue
        for order, route in enumerate(spec.get("routes", ()), start=1):
            route_model.objects.get_or_create(
                certification_type=kind,
                code=route["code"],
                defaults={
                    "name": route["name"],
                    "description": route["description"],
                    "rule_codes": route["rule_codes"],
                    "sort_order": order,
                    **({"slot_codes": route.get("slot_codes", [])} if "slot_codes" in known else {}),
                },
            )
