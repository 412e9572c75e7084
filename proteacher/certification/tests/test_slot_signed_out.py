"""A form posted after the session ended is kept: sign in again and find it as a draft to confirm."""

import pytest
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from proteacher.certification import workflow
from proteacher.certification.models import CertificationType, SlotAnswer, SlotDraft
from proteacher.certification.views import signed_out
from proteacher.testing import factories, oidc

pytestmark = pytest.mark.django_db

TYPED = {"teacher": "王大明", "unit": "分數的加減", "records-0-facts": "三位學生舉手回答"}


@pytest.fixture
def case(teacher):
    return workflow.open_case(teacher, CertificationType.objects.get(code="basic"), 113, {})


def form_url(case, template="anecdotal_record"):
    return reverse("certification:slot_edit", args=[case.pk, "observation"]) + f"?template={template}"


def post_signed_out(client, case, revision="0", **extra):
    payload = {"template": "anecdotal_record", "revision": revision, "action": "save", **TYPED, **extra}
    return client.post(form_url(case), payload)


def assert_shown_as_draft(page: str):
    assert "自動儲存的草稿，請按「儲存」確認。" in page
    assert 'value="王大明"' in page and 'value="分數的加減"' in page and ">三位學生舉手回答</textarea>" in page


def test_a_save_without_a_session_is_kept_and_sends_to_sign_in(client, case):
    response = post_signed_out(client, case)

    assert response.status_code == 302
    assert response["Location"] == redirect_to_login(form_url(case)).url
    kept = client.session[signed_out.SESSION_KEY][reverse("certification:slot_edit", args=[case.pk, "observation"])]
    assert kept["post"]["teacher"] == ["王大明"] and "csrfmiddlewaretoken" not in kept["post"]
    assert not SlotAnswer.objects.exists() and not SlotDraft.objects.exists()


def test_after_signing_in_the_form_shows_what_was_kept(client, teacher, case):
    post_signed_out(client, case)

    client.force_login(teacher)
    page = client.get(form_url(case)).content.decode()

    assert_shown_as_draft(page)
    assert SlotDraft.objects.get(case=case).base_revision == 0
    assert signed_out.SESSION_KEY not in client.session
    # Confirmed with 儲存, it is the answer.
    client.post(form_url(case), {"template": "anecdotal_record", "revision": "0", "action": "save", **TYPED})
    assert SlotAnswer.objects.get(case=case).data["unit"] == "分數的加減"
    assert not SlotDraft.objects.exists()


def test_kept_text_over_an_answer_saved_since_is_offered_not_applied(client, teacher, case):
    factories.answer(case, "observation", "anecdotal_record", data={"teacher": "另一個視窗"})  # revision 1
    post_signed_out(client, case, revision="0")

    client.force_login(teacher)
    page = client.get(form_url(case)).content.decode()

    assert 'value="另一個視窗"' in page and ">載入草稿</a>" in page
    assert 'value="王大明"' in client.get(form_url(case) + "&draft=load").content.decode()


def test_an_autosave_without_a_session_is_told_and_kept(client, teacher, case):
    response = client.post(
        reverse("certification:slot_draft", args=[case.pk, "observation"]),
        {"template": "anecdotal_record", "revision": "0", **TYPED},
    )

    assert response.status_code == 401
    assert response.json() == {
        "status": "signed_out",
        "message": "登入已逾時，內容已保留在此頁，請重新登入後按「儲存」",
        "login_url": redirect_to_login(form_url(case)).url,
    }
    client.force_login(teacher)
    assert_shown_as_draft(client.get(form_url(case)).content.decode())


def test_only_the_cases_teacher_finds_it(client, teacher, case):
    post_signed_out(client, case)
    other = factories.teacher(name="王其他", account="t-other")
    others_case = workflow.open_case(other, CertificationType.objects.get(code="basic"), 113, {})

    client.force_login(other)

    assert client.get(form_url(case)).status_code == 404
    assert "王大明" not in client.get(form_url(others_case)).content.decode()
    assert not SlotDraft.objects.exists()


def test_what_was_kept_waits_for_the_page_of_its_template(client, teacher, case):
    post_signed_out(client, case)
    client.force_login(teacher)

    page = client.get(form_url(case, template="flanders")).content.decode()

    assert "王大明" not in page
    assert_shown_as_draft(client.get(form_url(case)).content.decode())


def test_a_file_posted_without_a_session_is_not_kept(client, teacher):
    case = factories.case(teacher, "advanced")
    url = reverse("certification:slot_edit", args=[case.pk, "implementation"]) + "?template=implementation_proof"

    response = client.post(url, {"template": "implementation_proof", "revision": "0"})

    assert response.status_code == 302
    assert signed_out.SESSION_KEY not in client.session


def test_a_session_keeps_only_the_latest_forms(client, teacher):
    cases = [factories.case(teacher, kind) for kind in ("basic", "advanced", "mentor")]
    for case in cases:
        for slot, template in (("pre_conference", "pre_conference_a"), ("post_conference", "post_conference_a")):
            url = reverse("certification:slot_edit", args=[case.pk, slot]) + f"?template={template}"
            client.post(url, {"template": template, "revision": "0", "teacher": "王"})

    assert len(client.session[signed_out.SESSION_KEY]) == signed_out.MAX_KEPT


# --- Through the real sign-in pages ------------------------------------------------------------------


def test_kept_through_the_development_identity_page(client, settings, teacher, case):
    settings.DEBUG = True
    settings.OIDC_ISSUER = ""
    login_page = post_signed_out(client, case)["Location"]

    sso_link = reverse("accounts:sso_start") + "?" + login_page.split("?", 1)[1]
    assert sso_link in client.get(login_page).content.decode().replace("&amp;", "&")
    assert client.get(sso_link)["Location"] == reverse("accounts:dev_identity")
    signed_in = client.post(
        reverse("accounts:dev_identity"),
        {
            "identity": "custom",
            "sub": "t-huang",
            "name": "黃測試",
            "school": "臺北市立測試國小",
            "title_code": "8",
            "county": "臺北市",
            "action": "login",
        },
    )

    assert signed_in["Location"] == form_url(case)
    assert client.session["_auth_user_id"] == str(teacher.pk)
    assert_shown_as_draft(client.get(signed_in["Location"]).content.decode())


@pytest.fixture(scope="module")
def provider():
    with oidc.running_provider(require_nonce=True) as running:
        yield running


def test_kept_through_the_network_sign_in(client, settings, provider, teacher, case):
    provider.configure(settings)
    claims = {"name": "黃測試", "school": "臺北市立測試國小", "title_code": "8", "county": "臺北市"}
    provider.set_user("t-huang", claims)
    login_page = post_signed_out(client, case)["Location"]
    next_url = login_page.split("next=", 1)[1]

    authorize = client.get(reverse("accounts:sso_start") + f"?next={next_url}")["Location"]
    signed_in = client.get(provider.authorize(authorize, "t-huang").path)

    assert signed_in["Location"] == form_url(case)
    assert client.session["_auth_user_id"] == str(teacher.pk)
    assert_shown_as_draft(client.get(signed_in["Location"]).content.decode())
