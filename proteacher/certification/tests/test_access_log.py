"""Who other than the teacher looked at the teacher's forms and files is recorded: each print
view and each PDF the office opens is one form.view or file.view entry naming the officer, the
teacher, the case and the form. The teacher's own looks are not recorded, nor a look refused."""

import pytest
from django.urls import reverse

from proteacher.certification.workflow import State
from proteacher.testing import factories
from proteacher.testing.audit import entries, the_entry, who_whose_what
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db

RUBRIC = "105年版教師專業發展規準觀察紀錄表"


@pytest.fixture
def case(teacher, taipei_officer):
    """A 進階 case sent to 形式審查: every slot filled (uploads are PDFs, the others online)."""
    return advance(factories.case(teacher, "advanced"), State.FORMAL_REVIEW, taipei_officer)


@pytest.mark.parametrize("app", ["certification", "review"])
def test_an_officer_printing_a_form_is_recorded(client, teacher, taipei_officer, case, app):
    client.force_login(taipei_officer)

    response = client.get(reverse(f"{app}:slot_print", args=[case.pk, "observation"]), REMOTE_ADDR="198.51.100.4")

    assert response.status_code == 200
    entry = the_entry("form.view")
    assert who_whose_what(entry) == (taipei_officer.pk, teacher.pk, case.pk, RUBRIC)
    assert (entry.actor_role, entry.ip) == ("county", "198.51.100.4")
    assert entry.data == {"slot": "observation", "county": taipei_officer.county_id}


@pytest.mark.parametrize("app", ["certification", "review"])
def test_an_admin_opening_a_pdf_is_recorded(client, teacher, admin_user, case, app):
    client.force_login(admin_user)

    response = client.get(reverse(f"{app}:slot_file", args=[case.pk, "implementation"]))

    assert response.status_code == 200
    entry = the_entry("file.view")
    assert who_whose_what(entry) == (admin_user.pk, teacher.pk, case.pk, "公開授課實施證明")
    assert entry.data == {"slot": "implementation", "file_name": "implementation.pdf"}


def test_the_teachers_own_looks_are_not_recorded(client, teacher, case):
    client.force_login(teacher)

    assert client.get(reverse("certification:slot_print", args=[case.pk, "observation"])).status_code == 200
    assert client.get(reverse("certification:slot_file", args=[case.pk, "implementation"])).status_code == 200

    assert not entries("form.view", "file.view")


def test_a_refused_look_is_not_recorded(client, taichung_officer, reviewer, case):
    for person in (taichung_officer, reviewer):
        client.force_login(person)
        assert client.get(reverse("certification:slot_print", args=[case.pk, "observation"])).status_code == 404
        assert client.get(reverse("review:slot_file", args=[case.pk, "implementation"])).status_code in (403, 404)

    assert not entries("form.view", "file.view")


def test_each_look_is_one_more_entry(client, taipei_officer, case):
    client.force_login(taipei_officer)
    url = reverse("review:slot_print", args=[case.pk, "observation"])

    client.get(url)
    client.get(url)

    assert len(entries("form.view")) == 2
