"""A type's application routes (申請方式): 教學輔導教師認證 第一種申請方式 as the seed's 認證專區 shows
it, the route's page and 申請, and the routes under 認證設定."""

import html
import re

import pytest
from django.urls import reverse

from proteacher import dates
from proteacher.certification import defaults
from proteacher.certification.models import ApplicationRoute, Case, Certificate, CertificationType
from proteacher.certification.tests.test_rules import training
from proteacher.registry.models import TrainingCategory

pytestmark = pytest.mark.django_db

INDEX = reverse("certification:index")
MENTOR = reverse("certification:type", args=["mentor"])
FIRST_ROUTE = f"{MENTOR}?route=first"
APPLY = reverse("certification:apply", args=["mentor"])
DESCRIPTION = defaults.TYPES[2]["routes"][0]["description"]


def page(response) -> str:
    return html.unescape(response.content.decode())


def text_of(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def cards(markup: str) -> list[str]:
    """認證專區's cards as a reader sees them, in order."""
    return [text_of(card) for card in re.findall(r'<div class="card-body">(.*?)</div>', markup, re.S)]


def mentor() -> CertificationType:
    return CertificationType.objects.get(code="mentor")


def eligible_for_mentor(teacher):
    """What the shipped 教學輔導教師 rules ask: 進階 certificate, 5 + 5 years, 30 hours in 3 years."""
    Certificate.objects.create(
        teacher=teacher,
        certification_type=CertificationType.objects.get(code="advanced"),
        academic_year=dates.current_academic_year() - 2,
        source="issued",
    )
    training(teacher, "24", dates.today(), category=TrainingCategory.MENTOR)
    training(teacher, "6", dates.today(), category=TrainingCategory.MENTOR_PRACTICE)
    return teacher


@pytest.fixture
def huang(client, teacher):
    client.force_login(teacher)
    return teacher


# --- the data ------------------------------------------------------------------------------------


def test_the_platform_ships_the_first_route_of_mentor():
    [route] = ApplicationRoute.objects.filter(certification_type__code="mentor")

    assert (route.certification_type.code, route.code, route.name) == ("mentor", "first", "第一種申請方式")
    assert route.description == DESCRIPTION
    assert route.rule_codes == []  # every rule of the type in force


def test_shipping_again_keeps_what_was_edited():
    ApplicationRoute.objects.update(description="縣市另行公告。")

    defaults.install_routes(CertificationType, ApplicationRoute)

    assert set(ApplicationRoute.objects.values_list("description", flat=True)) == {"縣市另行公告。"}


# --- 認證專區 ------------------------------------------------------------------------------------


def test_the_zone_shows_the_three_types_and_the_route_as_the_seed(client, huang):
    markup = page(client.get(INDEX))

    assert cards(markup) == [
        "初階專業回饋人才認證 初階認證",
        "進階專業回饋人才認證 進階認證",
        "教學輔導教師認證 教學輔導教師認證",
        "教學輔導教師認證 第一種申請方式",
        # 換證 is applied for by one of its routes only (test_renewal.py).
        "教學輔導教師換證 第一種換證方式",
        "教學輔導教師換證 第二種換證方式",
    ]
    for url in (reverse("certification:type", args=["basic"]), reverse("certification:type", args=["advanced"])):
        assert f'href="{url}"' in markup
    assert f'href="{MENTOR}"' in markup and f'href="{FIRST_ROUTE}"' in markup


def test_staff_see_the_cards_without_links(client, admin_user):
    client.force_login(admin_user)

    markup = page(client.get(INDEX))

    assert cards(markup)[3] == "教學輔導教師認證 第一種申請方式"
    assert FIRST_ROUTE not in markup


def test_a_type_without_routes_has_one_card(client, huang):
    ApplicationRoute.objects.all().delete()

    assert len(cards(page(client.get(INDEX)))) == 4


# --- the route's page and 申請 -----------------------------------------------------------------


def test_the_routes_page_names_the_route_and_describes_it(client, huang):
    markup = page(client.get(FIRST_ROUTE))

    assert re.search(r"<h1[^>]*>教學輔導教師認證 第一種申請方式</h1>", markup)
    assert DESCRIPTION in markup
    crumbs = text_of(markup.split('<ol class="breadcrumb">')[1].split("</ol>")[0])
    assert crumbs == "首頁 認證專區 教學輔導教師認證 第一種申請方式 申請認證"
    assert re.search(rf'<form method="post" action="{APPLY}"[^>]*>.*?name="route" value="first"', markup, re.S)


def test_the_types_own_page_is_unchanged(client, huang):
    markup = page(client.get(MENTOR))

    assert re.search(r"<h1[^>]*>教學輔導教師認證</h1>", markup)
    assert "第一種申請方式" not in markup and 'name="route"' not in markup


def test_an_unknown_route_is_not_found(client, huang):
    assert client.get(f"{MENTOR}?route=second").status_code == 404
    assert client.get(reverse("certification:type", args=["advanced"]) + "?route=first").status_code == 404


def test_applying_by_the_route_keeps_the_route_with_the_case(client, huang):
    eligible_for_mentor(huang)

    response = client.post(APPLY, {"route": "first"})

    case = Case.objects.get(teacher=huang, certification_type=mentor())
    assert response.url == reverse("certification:case", args=[case.pk])
    assert case.eligibility["route"] == {"code": "first", "name": "第一種申請方式", "rule_codes": [], "slot_codes": []}
    assert case.eligibility["passed"] is True


def test_one_application_a_year_whatever_the_route(client, huang):
    eligible_for_mentor(huang)
    client.post(APPLY)

    client.post(APPLY, {"route": "first"})
    markup = page(client.get(FIRST_ROUTE))

    assert Case.objects.filter(teacher=huang).count() == 1
    assert "目前沒有可申請的認證 (本學年度已申請過)" in markup


def test_a_route_checks_only_the_rules_it_names(client, huang):
    # A route for teachers whose certificate and hours the county checks on paper, say.
    ApplicationRoute.objects.update(rule_codes=["identity", "formal_years", "teaching_years"])

    markup = page(client.get(FIRST_ROUTE))
    response = client.post(APPLY, {"route": "first"})

    assert "研習時數" not in markup.split("申請資格")[1].split("</table>")[0]
    assert response.status_code == 302
    assert [r["code"] for r in Case.objects.get(teacher=huang).eligibility["results"]] == [
        "identity",
        "formal_years",
        "teaching_years",
    ]


def test_the_types_own_card_still_checks_every_rule(client, huang):
    ApplicationRoute.objects.update(rule_codes=["identity"])

    response = client.post(APPLY)

    assert response.status_code == 200 and "資格不符" in page(response)
    assert not Case.objects.exists()


# --- 認證設定 ------------------------------------------------------------------------------------


def test_admins_see_the_routes_on_the_types_settings_page(client, admin_user):
    client.force_login(admin_user)

    markup = page(client.get(reverse("certification:settings_type", args=["mentor"])))

    section = text_of(markup.split('id="routes-heading"')[1].split("</section>")[0])
    assert "第一種申請方式" in section and DESCRIPTION in section
    assert "資格規則 全部（身份、正式教師年資、實際教學年資、證號、研習時數、研習年度）" in section


def test_a_type_without_routes_says_so(client, admin_user):
    client.force_login(admin_user)

    markup = page(client.get(reverse("certification:settings_type", args=["advanced"])))

    assert "尚無其他申請方式，教師由認證專區的認證類別申請。" in text_of(markup.split('id="routes-heading"')[1])


def test_a_route_naming_some_rules_lists_them(client, admin_user):
    ApplicationRoute.objects.update(rule_codes=["identity", "hours"])
    client.force_login(admin_user)

    markup = page(client.get(reverse("certification:settings_type", args=["mentor"])))

    assert "資格規則 身份、研習時數" in text_of(markup.split('id="routes-heading"')[1])
