"""審查委員名冊: accounts opened and updated from a file, the password email, and 可審類別 in 分發委員."""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from proteacher.accounts.models import Role, User
from proteacher.certification.models import CertificationType
from proteacher.errors import DomainError
from proteacher.notifications.models import OutgoingMail
from proteacher.registry.importing import run_import
from proteacher.review import assignment as services
from proteacher.review.models import Reviewer
from proteacher.review.roster import ReviewerRosterImporter
from proteacher.review.tests.test_assignment import make_reviewer, waiting_case
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

HEADER = "帳號,姓名,Email,服務學校,縣市,可審類別\n"


@pytest.fixture
def schools(taipei):
    return {
        "建中": factories.school("臺北市立建國高級中學", code="313302"),
        "金華": factories.school("臺北市立金華國民中學", code="333501"),
    }


def load(tmp_path, text: str, dry_run: bool = False):
    path = tmp_path / "委員.csv"
    path.write_text(HEADER + text, encoding="utf-8")
    return run_import(ReviewerRosterImporter(), path, dry_run=dry_run)


def type_names(user) -> set[str]:
    return set(Reviewer.objects.get(user=user).certification_types.values_list("name", flat=True))


def test_new_rows_open_reviewer_accounts_with_school_and_types(tmp_path, schools):
    result = load(
        tmp_path,
        "r-lin,林審查,lin@example.tw,313302,臺北市,進階專業回饋人才認證、mentor\n"
        "r-chen,陳審查,chen@example.tw,臺北市立金華國民中學,台北市,\n"
        "r-wu,吳審查,wu@example.tw,,,初階認證，進階認證\n",
    )

    assert result.ok, result.errors
    assert (result.created, result.updated) == (3, 0)
    lin = User.objects.get(username="r-lin")
    assert lin.role == Role.REVIEWER and lin.name == "林審查" and lin.email == "lin@example.tw"
    assert not lin.has_usable_password()
    assert Reviewer.objects.get(user=lin).school == schools["建中"]
    assert type_names(lin) == {"進階專業回饋人才認證", "教學輔導教師認證"}
    assert Reviewer.objects.get(user__username="r-chen").school == schools["金華"]
    assert type_names(User.objects.get(username="r-chen")) == set()
    assert type_names(User.objects.get(username="r-wu")) == {"初階專業回饋人才認證", "進階專業回饋人才認證"}


def test_each_new_reviewer_is_mailed_a_link_that_sets_the_password(client, tmp_path, schools):
    load(tmp_path, "r-lin,林審查,lin@example.tw,313302,臺北市,\n")

    mail = OutgoingMail.objects.get()
    assert mail.to == "lin@example.tw"
    assert mail.subject == "【教師專業發展支持作業平臺】審查委員帳號開通通知"
    assert "帳號：r-lin" in mail.body
    link = re.search(r"http\S+/password/reset/\S+", mail.body).group(0)
    form_page = client.get(urlsplit(link).path, follow=True)
    assert "新密碼" in form_page.content.decode()
    password = "Roster-Review-2026!"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert User.objects.get(username="r-lin").check_password(password)


def test_existing_reviewers_are_updated_and_mailed_nothing(tmp_path, schools):
    user = make_reviewer("R-Lin", "林舊名", schools["金華"])
    user.email = "old@example.tw"
    user.save()

    result = load(tmp_path, "r-lin,林審查,lin@example.tw,313302,臺北市,教學輔導教師認證\n")

    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 1)
    user.refresh_from_db()
    assert (user.name, user.email) == ("林審查", "lin@example.tw")
    assert Reviewer.objects.get(user=user).school == schools["建中"]
    assert type_names(user) == {"教學輔導教師認證"}
    assert User.objects.filter(username__iexact="r-lin").count() == 1
    assert not OutgoingMail.objects.exists()
    again = load(tmp_path, "r-lin,林審查,lin@example.tw,313302,臺北市,教學輔導教師認證\n")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_bad_rows_are_named_and_nothing_is_written(tmp_path, schools, taipei_officer, taichung):
    factories.school("臺中市立測試國中", county_name="臺中市", code="063999")
    result = load(
        tmp_path,
        "r-ok,好委員,ok@example.tw,313302,臺北市,\n"
        "taipei-officer,臺北市教專中心,t@example.tw,,,\n"
        "r-bad,壞委員,not-an-email,313302,臺北市,\n"
        "r-x,某委員,x@example.tw,不存在國中,臺北市,\n"
        "r-y,某委員,y@example.tw,063999,臺北市,\n"
        "r-z,某委員,z@example.tw,臺北市立金華國民中學,,\n"
        "r-t,某委員,t@example.tw,,,高階認證\n"
        "R-OK,好委員,ok@example.tw,313302,臺北市,\n"
        "r-ok,好委員,ok@example.tw,313302,臺北市,\n",
    )

    reasons = {error.line: error.reason for error in result.errors}
    assert reasons[3] == "帳號「taipei-officer」已是縣市帳號，不是審查委員，名冊不能變更它"
    assert reasons[4] == "Email「not-an-email」不是有效的電子郵件地址"
    assert reasons[5] == "服務學校「不存在國中」不在此縣市的學校主檔中"
    assert reasons[6] == "服務學校代碼「063999」的學校不在此縣市"
    assert reasons[7] == "服務學校「臺北市立金華國民中學」不是學校代碼；以校名填寫時請一併填寫縣市"
    assert reasons[8].startswith("可審類別「高階認證」不是認證類別（")
    assert reasons[9] == "帳號「R-OK」與第 2 行重複（帳號不分大小寫）"
    assert [error.reason for error in result.errors if error.line == 10] == ["帳號「r-ok」與第 2 行重複"]
    assert not User.objects.filter(username__istartswith="r-").exists()
    assert not OutgoingMail.objects.exists()


def test_a_dry_run_counts_but_opens_nothing(tmp_path, schools):
    result = load(tmp_path, "r-lin,林審查,lin@example.tw,313302,臺北市,\n", dry_run=True)

    assert (result.created, result.ok) == (1, True)
    assert not User.objects.filter(username="r-lin").exists()
    assert not OutgoingMail.objects.exists()


def test_the_command_loads_a_roster(tmp_path, schools):
    path = tmp_path / "委員.csv"
    path.write_text(HEADER + "r-lin,林審查,lin@example.tw,313302,臺北市,\n", encoding="utf-8")
    bad = tmp_path / "壞.csv"
    bad.write_text(HEADER + "r-lin,林審查,,313302,臺北市,\n", encoding="utf-8")

    out = StringIO()
    call_command("import_reviewers", str(path), stdout=out)
    with pytest.raises(CommandError):
        call_command("import_reviewers", str(bad), stdout=StringIO(), stderr=StringIO())

    assert "審查委員：已匯入 1 筆（新增 1、更新 0）" in out.getvalue()
    assert User.objects.filter(username="r-lin", role=Role.REVIEWER).exists()


# --- 可審類別 in 分發委員 --------------------------------------------------------------------------


@pytest.fixture
def mentor_only(db):
    user = make_reviewer("r-mentor", "輔導委員")
    Reviewer.objects.get(user=user).certification_types.set([CertificationType.objects.get(code="mentor")])
    return user


def test_a_reviewer_is_offered_only_for_the_types_listed(teacher, taipei_officer, mentor_only):
    anyone = make_reviewer("r-any", "全類委員")
    case = waiting_case(teacher, taipei_officer)  # 進階

    options = {option.user.username: option for option in services.reviewer_options(case)}

    assert options["r-mentor"].reason == "委員的可審類別（教學輔導教師認證）不含「進階專業回饋人才認證」。"
    assert not options["r-mentor"].suggested
    assert options["r-any"].available
    with pytest.raises(DomainError, match="可審類別"):
        services.assign_reviewers(case, "first", [mentor_only, anyone], taipei_officer, case.revision)


def test_the_assign_page_greys_out_a_reviewer_of_other_types(client, teacher, taipei_officer, mentor_only):
    case = waiting_case(teacher, taipei_officer)
    client.force_login(taipei_officer)

    page = client.get(reverse("review:assign", args=[case.pk])).content.decode()

    assert "委員的可審類別（教學輔導教師認證）不含「進階專業回饋人才認證」。" in page


def test_the_queue_gives_a_reviewer_only_cases_of_their_types(teacher, taipei_officer, mentor_only):
    anyone = make_reviewer("r-any", "全類委員")
    case = waiting_case(teacher, taipei_officer)

    run = services.assign_queue([case], [mentor_only, anyone], taipei_officer, per_case=1)

    assert [user.username for user in run.results[0].reviewers] == ["r-any"]


def test_the_reviewers_page_shows_each_reviewers_types(client, admin_user, mentor_only):
    make_reviewer("r-any", "全類委員")
    client.force_login(admin_user)

    page = client.get(reverse("review:reviewers")).content.decode()

    assert re.search(r"<td>輔導委員</td>\s*<td>r-mentor</td>\s*<td>（未設定）</td>\s*<td>教學輔導教師認證</td>", page)
    assert re.search(r"<td>r-any</td>\s*<td>（未設定）</td>\s*<td>全部類別</td>", page)
