"""研習時數 uploaded by a county system: the same importer as 資料匯入, loaded by the worker when
every row is right (nothing when any row is wrong), its status readable by the token that sent
it and by no other."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from proteacher.api.tests.conftest import bearer
from proteacher.audit.models import AuditEntry
from proteacher.registry.models import TrainingRecord
from proteacher.review import imports
from proteacher.review.models import ImportRun

pytestmark = pytest.mark.django_db

URL = "/api/v1/training-imports"
HEADER = "全教網帳號,課程名稱,類別,時數,研習日期\n"
FIRST = "t-huang,進階專業回饋人才培訓 2-1,進階培訓,6,2025-10-04\n"
GOOD = HEADER + FIRST + "t-huang,進階專業回饋人才培訓 2-2,進階培訓,6,2025-10-05\n"
# Line 3: hours in words.
BAD = HEADER + FIRST + "t-huang,進階專業回饋人才培訓 2-2,進階培訓,六,2025-10-05\n"


def csv(text: str, name: str = "研習時數.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def work() -> None:
    while imports.load_imports():
        pass


def test_a_clean_file_is_loaded_without_waiting_for_a_confirmation(client, issue, teacher):
    token, raw = issue(name="臺北市研習系統", scopes=["training:write"])

    response = client.post(URL, {"file": csv(GOOD)}, headers=bearer(raw))

    assert response.status_code == 202
    accepted = response.json()
    assert accepted["state"] == "checking"
    assert accepted["status_url"] == f"/api/v1/training-imports/{accepted['id']}"
    run = ImportRun.objects.get(pk=accepted["id"])
    assert (run.kind, run.by, run.created_by) == ("training", "API 臺北市研習系統", None)

    work()

    status = client.get(accepted["status_url"], headers=bearer(raw)).json()
    assert (status["state"], status["finished"], status["created"], status["errors"]) == ("done", True, 2, [])
    assert status["finished_at"].endswith("+08:00")
    assert TrainingRecord.objects.filter(inservice_account="t-huang").count() == 2


def test_a_file_with_a_bad_row_loads_nothing_and_names_the_row(client, issue, teacher):
    _, raw = issue(scopes=["training:write"])

    accepted = client.post(URL, {"file": csv(BAD)}, headers=bearer(raw)).json()
    work()

    status = client.get(accepted["status_url"], headers=bearer(raw)).json()
    assert status["state"] == "refused"
    assert status["errors_total"] == 1
    assert status["errors"][0]["line"] == 3
    assert not TrainingRecord.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (csv("", "空的.csv"), "檔案是空的"),
        (csv(GOOD, "研習時數.txt"), "不支援的檔案類型"),
        (csv(GOOD, "研習時數.xls"), "不支援舊版 Excel"),
    ],
)
def test_a_wrong_file_is_refused_at_once(client, issue, upload, message):
    _, raw = issue(scopes=["training:write"])

    response = client.post(URL, {"file": upload}, headers=bearer(raw))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_file"
    assert message in response.json()["message"]
    assert not ImportRun.objects.exists()


def test_a_system_posts_without_a_csrf_token(issue, teacher):
    _, raw = issue(scopes=["training:write"])
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(URL, {"file": csv(GOOD)}, headers=bearer(raw))

    assert response.status_code == 202


def test_a_field_beside_the_file_is_refused(client, issue):
    _, raw = issue(scopes=["training:write"])

    response = client.post(URL, {"file": csv(GOOD), "kind": "schools"}, headers=bearer(raw))

    assert (response.status_code, response.json()["code"]) == (400, "unknown_parameter")
    assert not ImportRun.objects.exists()


def test_no_file_is_a_clear_error(client, issue):
    _, raw = issue(scopes=["training:write"])

    response = client.post(URL, {}, headers=bearer(raw))

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


def test_only_the_token_that_sent_a_file_reads_its_status(client, issue, taipei):
    _, sender = issue(name="甲", county=taipei, scopes=["training:write"])
    _, other = issue(name="乙", county=taipei, scopes=["training:write"])
    accepted = client.post(URL, {"file": csv(GOOD)}, headers=bearer(sender)).json()

    assert client.get(accepted["status_url"], headers=bearer(sender)).status_code == 200
    refused = client.get(accepted["status_url"], headers=bearer(other))
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")


def test_uploads_need_their_scope_and_are_audited(client, issue):
    token, raw = issue(scopes=["cases:read"])

    response = client.post(URL, {"file": csv(GOOD)}, headers=bearer(raw))

    assert response.status_code == 403
    assert "上傳研習時數" in response.json()["message"]
    entry = AuditEntry.objects.filter(action="api.call").get()
    assert (entry.data["method"], entry.data["status"], entry.data["token"]) == ("POST", 403, token.prefix)
