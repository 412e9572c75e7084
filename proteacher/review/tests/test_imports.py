"""資料匯入: upload → the worker's check → 確認匯入 → the worker's load, and what 管理者 sees of it."""

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from proteacher.audit.models import AuditEntry
from proteacher.errors import DomainError
from proteacher.registry.models import School
from proteacher.review import imports
from proteacher.review.models import ImportRun
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

State = ImportRun.Status
GOOD_SCHOOLS = "學校代碼,學校名稱,縣市\n900001,臺北市立測試一國中,臺北市\n900002,臺北市立測試二國中,臺北市\n"
BAD_SCHOOLS = "學校代碼,學校名稱,縣市\n900001,臺北市立測試一國中,臺北市\n900002,臺北市立測試二國中,火星市\n"


def upload(text: str, name: str = "學校.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def submitted(admin, text=GOOD_SCHOOLS, kind="schools", **options) -> ImportRun:
    return imports.submit(kind, upload(text), actor=admin, by=admin.name, **options)


def work() -> None:
    while imports.load_imports():
        pass


@pytest.fixture
def admin(admin_user, taipei):
    return admin_user


def test_the_check_writes_nothing_and_says_what_would_change(admin):
    factories.school("臺北市立測試一國中", code="900001")
    run = submitted(admin)

    imports.load_imports()

    run.refresh_from_db()
    assert run.status == State.READY
    assert (run.rows_total, run.created, run.updated, run.unchanged) == (2, 1, 0, 1)
    assert not School.objects.filter(code="900002").exists()


def test_a_bad_row_is_named_and_nothing_is_written(admin):
    run = submitted(admin, BAD_SCHOOLS)

    work()

    run.refresh_from_db()
    assert run.status == State.REFUSED
    assert run.errors == [{"line": 3, "reason": "縣市「火星市」不在縣市主檔中"}]
    assert run.errors_total == 1
    assert not School.objects.filter(code__startswith="9000").exists()
    with pytest.raises(DomainError):
        imports.confirm(run, admin)


def test_confirmed_run_loads_all_rows_once(admin):
    run = submitted(admin)
    work()
    imports.confirm(run, admin)
    with pytest.raises(DomainError, match="不是「待確認」"):
        imports.confirm(run, admin)

    work()

    run.refresh_from_db()
    assert run.status == State.DONE
    assert (run.rows_done, run.rows_total, run.created) == (2, 2, 2)
    assert set(School.objects.filter(code__startswith="9000").values_list("name", flat=True)) == {
        "臺北市立測試一國中",
        "臺北市立測試二國中",
    }
    actions = list(AuditEntry.objects.filter(action__startswith="import.").values_list("action", flat=True))
    assert sorted(actions) == ["import.check", "import.confirm", "import.run", "import.submit"]


def test_load_when_clean_goes_on_without_confirmation(admin):
    run = submitted(admin, load_when_clean=True)

    work()

    run.refresh_from_db()
    assert run.status == State.DONE
    assert imports.status(run)["finished"] is True
    assert School.objects.filter(code="900002").exists()


def test_a_load_that_finds_a_problem_writes_nothing(admin, monkeypatch):
    run = submitted(admin)
    work()
    imports.confirm(run, admin)
    # Between the check and the load the county the second row names is gone.
    monkeypatch.setattr("proteacher.registry.importers.SchoolImporter.county_id", _refuse_second_row())

    work()

    run.refresh_from_db()
    assert run.status == State.FAILED
    assert "未匯入任何資料" in run.message
    assert run.errors[0]["line"] == 3
    assert not School.objects.filter(code__startswith="9000").exists()


def _refuse_second_row():
    from proteacher.registry.importing import Invalid

    calls = {"n": 0}

    def county_id(self, value):
        calls["n"] += 1
        if calls["n"] == 2:
            raise Invalid("縣市已刪除")
        return self.counties[value]

    return county_id


def test_an_error_while_writing_leaves_nothing_half_written(admin, monkeypatch):
    run = submitted(admin)
    work()
    imports.confirm(run, admin)

    def broken_audit(*args, **kwargs):
        raise RuntimeError("disk full")

    # The audit entry is written in the load's transaction, after the rows.
    monkeypatch.setattr("proteacher.registry.importing._audit", broken_audit)
    work()

    run.refresh_from_db()
    assert run.status == State.FAILED
    assert not School.objects.filter(code__startswith="9000").exists()


def test_a_second_claim_finds_nothing_while_the_first_holds_the_run(admin):
    run = submitted(admin)

    first = imports.claim_next()
    second = imports.claim_next()

    assert first.pk == run.pk
    assert second is None


def test_a_run_whose_worker_died_is_taken_over_after_the_lease(admin):
    run = submitted(admin)
    dead = imports.claim_next()
    assert imports.claim_next() is None

    later = timezone.now() + imports.lease() + datetime.timedelta(seconds=1)
    taken = imports.claim_next(now=later)

    assert taken.pk == run.pk
    assert taken.claim != dead.claim
    # The dead worker, were it to wake up, writes nothing.
    with pytest.raises(imports.ClaimLost):
        imports._finish(dead, status=State.FAILED)
    imports.process(taken)
    taken.refresh_from_db()
    assert taken.status == State.READY


def test_a_file_that_kills_its_worker_every_time_is_given_up(admin):
    run = submitted(admin)
    ImportRun.objects.filter(pk=run.pk).update(attempts=imports.MAX_ATTEMPTS)
    later = timezone.now()

    taken = imports.claim_next(now=later)
    imports.process(taken)

    run.refresh_from_db()
    assert run.status == State.FAILED
    assert "多次中斷" in run.message


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two connections at once need PostgreSQL: SQLite's in-memory test database locks whole tables",
)
def test_two_workers_at_once_load_a_run_once(admin_user, taipei):
    run = submitted(admin_user)
    imports.load_imports()
    imports.confirm(run, admin_user)

    def worker():
        try:
            return imports.load_imports()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        handled = list(pool.map(lambda _: worker(), range(2)))

    assert sorted(handled) == [0, 1]
    run.refresh_from_db()
    assert run.status == State.DONE
    assert AuditEntry.objects.filter(action="import.run").count() == 1


def test_progress_is_written_while_the_file_is_read(admin, monkeypatch):
    monkeypatch.setattr("proteacher.registry.importing.PROGRESS_EVERY", 2)
    rows = "".join(f"9{n:05d},臺北市立測試{n}國小,臺北市\n" for n in range(5))
    submitted(admin, "學校代碼,學校名稱,縣市\n" + rows)
    seen = []
    original = imports._progress

    def watching(run):
        report, read = original(run)

        def recorded(rows):
            report(rows)
            seen.append(ImportRun.objects.get(pk=run.pk).rows_done)

        return recorded, read

    monkeypatch.setattr(imports, "_progress", watching)
    imports.load_imports()

    assert seen == [2, 4, 5]


# --- the pages ------------------------------------------------------------------------------------


def test_the_page_lists_the_kinds_with_their_columns_and_samples(client, admin):
    client.force_login(admin)

    page = client.get(reverse("review:imports")).content.decode()

    for label in ("縣市", "學校", "職稱代碼", "研習時數", "舊系統證號", "審查委員"):
        assert f'<th scope="row">{label}</th>' in page
    assert "帳號、姓名、Email、服務學校、縣市、可審類別（可省略）" in page
    sample = client.get(reverse("review:import_sample", args=["reviewers"]))
    assert b"".join(sample.streaming_content).decode("utf-8").startswith("帳號,姓名,Email")


def test_upload_check_confirm_and_history(client, admin):
    client.force_login(admin)

    response = client.post(reverse("review:imports"), {"kind": "schools", "file": upload(GOOD_SCHOOLS)}, follow=True)

    run = ImportRun.objects.get()
    assert "系統正在檢查檔案內容" in response.content.decode()
    assert 'hx-trigger="every 1s"' in response.content.decode()
    work()
    ready = client.get(reverse("review:import_progress", args=[run.pk])).content.decode()
    assert "將新增 <strong>2</strong> 筆" in ready
    assert "hx-trigger" not in ready
    client.post(reverse("review:import_confirm", args=[run.pk]))
    work()
    done = client.get(reverse("review:import_run", args=[run.pk])).content.decode()
    assert "已匯入 2 筆：新增 2、更新 0、未變更 0。" in done
    history = client.get(reverse("review:imports")).content.decode()
    assert "學校.csv" in history and "已匯入" in history and "工作小組" in history
    file = client.get(reverse("review:import_file", args=[run.pk]))
    assert b"".join(file.streaming_content).decode() == GOOD_SCHOOLS
    assert "attachment" in file["Content-Disposition"]


def test_bad_rows_are_listed_on_the_run_page(client, admin):
    client.force_login(admin)
    run = submitted(admin, BAD_SCHOOLS)
    work()

    page = client.get(reverse("review:import_run", args=[run.pk])).content.decode()

    assert "有錯誤" in page
    assert "<td>第 3 行</td><td>縣市「火星市」不在縣市主檔中</td>" in page
    assert "確認匯入" not in page


def test_a_file_too_large_is_refused_with_its_real_size(client, admin, settings):
    settings.IMPORT_MAX_MEGABYTES = 1
    client.force_login(admin)
    big = "學校代碼,學校名稱,縣市\n" + "900001,臺北市立測試一國中,臺北市\n" * 40000

    response = client.post(reverse("review:imports"), {"kind": "schools", "file": upload(big)})

    assert response.status_code == 400
    size = len(big.encode())
    assert f"檔案大小為 {size / 1024 / 1024:.1f} MB，超過上限 1.0 MB" in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("學校.exe", b"MZ\x90\x00", "不支援的檔案類型「.exe」"),
        ("學校.xls", b"\xd0\xcf\x11\xe0", "不支援舊版 Excel（.xls）檔"),
        ("學校.xlsx", b"not a zip", "不是有效的 Excel（.xlsx）檔"),
        ("學校.csv", b"", "檔案是空的"),
    ],
)
def test_wrong_files_are_refused_at_upload(client, admin, name, content, message):
    client.force_login(admin)

    response = client.post(reverse("review:imports"), {"kind": "schools", "file": SimpleUploadedFile(name, content)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_no_kind_chosen_is_refused(client, admin):
    client.force_login(admin)

    response = client.post(reverse("review:imports"), {"kind": "", "file": upload(GOOD_SCHOOLS)})

    assert response.status_code == 400
    assert "請選擇資料類別。" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        # A damaged workbook that starts like one.
        (b"PK\x03\x04garbage", "無法開啟 Excel 檔"),
    ],
)
def test_a_damaged_workbook_is_refused_by_the_check(admin, content, reason):
    run = imports.submit("schools", SimpleUploadedFile("學校.xlsx", content), actor=admin, by="工作小組")

    work()

    run.refresh_from_db()
    assert run.status == State.REFUSED
    assert reason in run.errors[0]["reason"]


def test_hostile_csv_contents_get_chinese_reasons_never_an_error(client, admin):
    client.force_login(admin)
    text = (
        "學校代碼,學校名稱,縣市\n"
        "=cmd|' /C calc'!A0,=HYPERLINK(\"http://x\"),臺北市\n"  # formula-looking cells are text
        "900003,臺北市立\x00\x07測試三國中,臺北市\n"  # control characters are dropped
        "900004,臺北市立測試四國中,臺北市,多的一欄\n"
    )
    run = submitted(admin, text)

    work()

    run.refresh_from_db()
    assert run.status == State.REFUSED
    assert [error["line"] for error in run.errors] == [2, 4]
    assert "超過 10 個字" in run.errors[0]["reason"]
    assert "多於標題列" in run.errors[1]["reason"]
    page = client.get(reverse("review:import_run", args=[run.pk]))
    assert page.status_code == 200
    assert "=HYPERLINK" not in page.content.decode() or "&quot;" in page.content.decode()


def test_a_big5_file_is_read_and_a_bad_encoding_named(admin):
    run = imports.submit("schools", upload(GOOD_SCHOOLS, encoding="cp950"), actor=admin, by="工作小組")
    broken = imports.submit(
        "schools",
        SimpleUploadedFile("壞.csv", "學校代碼,學校名稱,縣市\n".encode() + b"9,\xff\xfe\xfa,x\n"),
        actor=admin,
        by="工作小組",
    )

    work()

    run.refresh_from_db()
    broken.refresh_from_db()
    assert run.status == State.READY and run.created == 2
    assert broken.status == State.REFUSED
    assert broken.errors == [{"line": 2, "reason": "有無法辨識的文字，檔案必須是 UTF-8 或 Big5 編碼"}]


def test_errors_kept_are_capped_with_the_total(admin, monkeypatch):
    monkeypatch.setattr(imports, "ERRORS_KEPT", 3)
    rows = "".join(f"9{n:05d},臺北市立測試{n}國小,火星市\n" for n in range(10))
    run = submitted(admin, "學校代碼,學校名稱,縣市\n" + rows)

    work()

    run.refresh_from_db()
    assert len(run.errors) == 3
    assert run.errors_total == 10


def test_status_is_json_ready(admin):
    import json

    run = submitted(admin)
    work()
    run.refresh_from_db()

    found = json.loads(json.dumps(imports.status(run)))

    assert found["state"] == "ready" and found["state_label"] == "待確認"
    assert found["kind_label"] == "學校"
    assert found["rows_total"] == 2 and found["created"] == 2


def test_the_bar_shows_rows_read_then_the_writing(client, admin):
    client.force_login(admin)
    run = submitted(admin)
    work()
    imports.confirm(run, admin)
    url = reverse("review:import_progress", args=[run.pk])

    ImportRun.objects.filter(pk=run.pk).update(rows_done=1)
    halfway = client.get(url).content.decode()
    ImportRun.objects.filter(pk=run.pk).update(rows_done=2)
    writing = client.get(url).content.decode()

    assert '<progress class="import-bar w-100" value="1" max="2" aria-label="匯入進度">' in halfway
    assert "匯入中：已處理 1／2 筆。" in halfway
    assert 'hx-trigger="every 1s"' in halfway
    assert "已讀取全部 2 筆，寫入資料庫中…" in writing
