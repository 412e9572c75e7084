"""Browser helpers that walk a case through review (SPEC §6) with real logins of every role: by
default the demo teacher's 進階 case; any demo teacher and type through an `Applicant`.

Each role works in its own browser context, signed in the way that role signs in: the teacher
through 帳號漫遊登入 (the development identity page), the staff through 使用者登入 → 縣市與管理者登入
with the demo password and the code of their authenticator app (雙因素驗證). Every step goes
through the pages a user clicks; the only shortcuts (`prepare_case`) use the same services the
pages call, for steps another test already clicks.

    roles = Roles(chromium, live_server.url)
    teacher = roles.teacher("黃測試")
    office = roles.staff("taipei")
"""

import io
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from proteacher.accounts import school_officers, second_factor
from proteacher.accounts.models import Role, User
from proteacher.accounts.services import create_staff_account
from proteacher.certification import answers, school_recommendation, selectors, workflow
from proteacher.certification.models import Case, FormSlot
from proteacher.dates import today
from proteacher.documents import engine
from proteacher.documents.catalogue import get_template
from proteacher.registry.counties import COUNTIES
from proteacher.registry.models import School
from proteacher.review import assignment, issuing, office, reviewing, short_panels
from proteacher.review.models import Assignment, ReviewRound
from proteacher.testing import factories
from proteacher.testing.browser import new_context, sign_in_through_identity_page
from proteacher.testing.second_factor import code_from_key, fresh_code


@dataclass(frozen=True)
class Applicant:
    """A demo teacher of load_demo and the type they apply for, as pages and messages name it
    (SPEC §7's placeholders)."""

    name: str
    account: str
    type_name: str  # {type}
    short: str  # {short}
    training: str  # {training}

    @property
    def email(self) -> str:
        return f"{self.account}@school.example.tw"


ADVANCED = Applicant("黃測試", "t-eligible", "進階專業回饋人才認證", "進階認證", "進階專業回饋人才")
BASIC = Applicant("劉初階", "t-basic", "初階專業回饋人才認證", "初階認證", "初階專業回饋人才")
MENTOR = Applicant("許輔導", "t-mentor", "教學輔導教師認證", "教學輔導教師認證", "教學輔導教師")

# The 進階 walk's names, which most helpers take by default.
TYPE, SHORT, TRAINING = ADVANCED.type_name, ADVANCED.short, ADVANCED.training
TEACHER_NAME, TEACHER_ACCOUNT, TEACHER_EMAIL = ADVANCED.name, ADVANCED.account, ADVANCED.email
# A third 委員 who, unlike reviewer2, does not work at the teacher's school.
THIRD_REVIEWER = ("reviewer3", "陳委員", "臺北市立中山女子高級中學")

# What the browser types into a required field of each kind.
SAMPLE_VALUES = {"date": "2025-10-10", "time": "10:00", "number": "1", "text": "測試內容"}
# A complete answer of each online template the 進階 slots use (the header block and the rest).
HEADER = {
    "teacher": "黃測試",
    "grade": "五年級",
    "subject": "國語",
    "observer": "黃測試老師",
    "unit": "閱讀理解",
    "date": "2025-10-10",
    "place": "五年三班教室",
}
ONLINE_ANSWERS = {
    "pre_conference": ("pre_conference_a", HEADER),
    "observation": (
        "anecdotal_record",
        {**HEADER, "records-0-time": "09:05", "records-0-behavior": "教師提問", "records-0-facts": "三位學生舉手回答"},
    ),
    "post_conference": ("post_conference_a", HEADER),
}


# --- data -----------------------------------------------------------------------------------------


def load_demo_data() -> None:
    """make run's demo data on the flushed database a live-server test starts from.

    The counties and the types come from data migrations, which a flushed database lacks."""
    for _, name, _ in COUNTIES:
        factories.county(name)
    factories.certification_types()
    call_command("load_demo", stdout=io.StringIO())


def add_third_reviewer() -> User:
    """A 委員 account as 帳號管理 makes it, with a 服務學校 other than the teacher's."""
    username, name, school_name = THIRD_REVIEWER
    user = create_staff_account(
        username=username,
        name=name,
        email=f"{username}@proteacher.example.tw",
        role=Role.REVIEWER,
        password=factories.PASSWORD,
        county=None,
    )
    assignment.update_reviewer(user, school=School.objects.get(name=school_name), is_active=True)
    return user


def demo_teacher() -> User:
    return User.objects.get(inservice_account=TEACHER_ACCOUNT)


def the_case(who: Applicant = ADVANCED) -> Case:
    return Case.objects.get(teacher__inservice_account=who.account, certification_type__name=who.type_name)


# --- signing in -----------------------------------------------------------------------------------


class Roles:
    """One signed-in browser context per person, as if each sat at their own computer."""

    def __init__(self, chromium, base_url: str):
        self.chromium = chromium
        self.base_url = base_url
        self.contexts = []

    def new_page(self) -> Page:
        # The same context as proteacher.testing.browser's page fixture, watched the same way.
        context = new_context(self.chromium, self.base_url)
        self.contexts.append(context)
        page = context.new_page()
        page.base_url = self.base_url
        return page

    def teacher(self, name: str = TEACHER_NAME) -> Page:
        page = self.new_page()
        sign_in_teacher(page, name)
        return page

    def staff(self, username: str) -> Page:
        page = self.new_page()
        sign_in_staff(page, username)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def sign_in_teacher(page: Page, name: str = TEACHER_NAME) -> None:
    sign_in_through_identity_page(page, name)
    expect(page.locator(".site-user")).to_contain_text(f"{name}老師")


def sign_in_staff(page: Page, username: str, password: str = factories.PASSWORD) -> None:
    """首頁 → 使用者登入 → 縣市與管理者登入: 帳號, 密碼, 登入; then 雙因素驗證 with the code of the
    member's authenticator app (set up on the way, as a first sign-in does, if they have none);
    lands on 功能專區."""
    enter_password(page, username, password)
    second_step(page, User.objects.get(username=username))
    expect(page.get_by_role("heading", name="功能專區")).to_be_visible()


def enter_password(page: Page, username: str, password: str = factories.PASSWORD) -> None:
    """The first step: 首頁 → 使用者登入 → 縣市與管理者登入: 帳號, 密碼, 登入."""
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="使用者登入").first.click()
    page.get_by_role("link", name="縣市與管理者登入").click()
    staff_login = page.locator("#staff-login")
    expect(staff_login.get_by_label("帳號")).to_be_focused()
    staff_login.get_by_label("帳號").fill(username)
    staff_login.get_by_label("密碼").fill(password)
    staff_login.get_by_role("button", name="登入").click()


def second_step(page: Page, user: User) -> None:
    """雙因素驗證 after the password: the app's code, or the first enrolment when there is none."""
    heading = page.get_by_role("heading", name=re.compile("^(設定)?雙因素驗證$"))
    expect(heading).to_be_visible()
    if heading.inner_text() == "設定雙因素驗證":
        enrol_authenticator(page)
        return
    page.get_by_label("驗證碼或復原碼").fill(fresh_code(authenticator_of(user)))
    page.get_by_role("button", name="驗證", exact=True).click()


def enrol_authenticator(page: Page) -> list[str]:
    """設定雙因素驗證 → 方式一：驗證器 App: the key typed into an app by hand, its first code,
    完成設定; then the recovery codes (returned) and 我已保存，繼續."""
    key = page.locator("#totp-key").inner_text()
    page.get_by_label("驗證碼").fill(code_from_key(key))
    page.get_by_role("button", name="完成設定").click()
    expect(page.get_by_role("heading", name="復原碼")).to_be_visible()
    codes = page.get_by_role("list", name="復原碼").get_by_role("listitem").all_inner_texts()
    page.get_by_role("button", name="我已保存，繼續").click()
    return codes


def authenticator_of(user: User):
    return second_factor.totp_devices(user).get()


def nav(page: Page, name: str) -> None:
    """A link of the top navigation (主選單); 訊息通知 carries its unread count."""
    menu = page.get_by_role("navigation", name="主選單")
    menu.get_by_role("link", name=re.compile(f"^{re.escape(name)}")).click()


def workspace(page: Page, tool: str) -> None:
    """功能專區 → one of the role's tools (認證審查, 審查案件, 發證作業 …)."""
    nav(page, "功能專區")
    page.get_by_role("link", name=re.compile(f"^{re.escape(tool)}")).click()


def expect_flash(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


# --- the teacher ------------------------------------------------------------------------------------


def case_header(page: Page):
    return page.get_by_role("table", name="流程資訊")


def header_value(page: Page, row: str):
    return case_header(page).get_by_role("row").filter(has=page.get_by_role("rowheader", name=row, exact=True))


def expect_state(page: Page, label: str) -> None:
    """The 狀態 of 流程進度 (teacher) or of the office's case page reads exactly `label`."""
    expect(header_value(page, "狀態").locator("td")).to_have_text(label)


def open_own_case(page: Page, who: Applicant = ADVANCED) -> str:
    """認證專區 → the type → the year's row of 申請紀錄 → 流程進度; returns its address."""
    nav(page, "認證專區")
    page.get_by_role("link", name=who.type_name, exact=True).click()
    page.get_by_role("table", name="申請紀錄").get_by_role("link").first.click()
    expect(page).to_have_title(re.compile(f"^{who.short} - 流程進度"))
    return page.url


def settled(page: Page) -> None:
    """Wait until the page has fully loaded: Locator.all() does not wait, and a long page (the
    office's case page with its framed PDFs) may still be arriving below the part already checked."""
    page.wait_for_load_state("load")


def slot_row(page: Page, label: str):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label, exact=True))


def choose_template(page: Page, slot_label: str, template_title: str) -> None:
    """選擇表件後，點選新增: the button stays greyed until a template is chosen."""
    row = slot_row(page, slot_label)
    add = row.get_by_role("button", name="新增")
    expect(add).to_be_disabled()
    row.get_by_role("combobox").select_option(label=template_title)
    expect(add).to_be_enabled()
    # 新增鍵由反白轉為綠色
    expect(add).to_have_class(re.compile(r"\bbtn-success\b"))
    add.click()


def save_form(page: Page) -> None:
    # 儲存 sits at the top right and the bottom right of every form.
    page.get_by_role("button", name="儲存", exact=True).last.click()
    page.wait_for_load_state()


def upload_pdf(page: Page, path) -> None:
    page.get_by_label(re.compile(r"上傳(填寫)?用印完成紙本文件")).set_input_files(str(path))
    save_form(page)


def fill_required_fields(page: Page) -> None:
    """What a teacher types into every required field (aria-required, shown with *): text, dates and
    times of their kind, the first choice of a required radio group, one row (新增) in a required list."""
    form = page.locator("form").filter(has=page.get_by_role("button", name="儲存", exact=True)).first
    settled(page)
    for table in form.locator("table.form-rows").all():
        if table.locator("th .req").count() and not table.locator("tr[data-row]").count():
            form.locator(f"[data-add-row='{table.get_attribute('id')}']").click()
    controls = form.locator("[aria-required=true], [required]")
    assert controls.count(), "the form marks no field as required"
    for index in range(controls.count()):
        control = controls.nth(index)
        if control.get_attribute("role") == "radiogroup":
            control.get_by_role("radio").first.check()
            continue
        kind = control.get_attribute("type") or "text"
        if control.evaluate("element => element.tagName") == "SELECT":
            control.select_option(index=1)
        elif not control.input_value():
            control.fill(SAMPLE_VALUES.get(kind, SAMPLE_VALUES["text"]))
    for cell in form.locator("tr[data-row] input[type=text]:visible, tr[data-row] textarea:visible").all():
        if not cell.input_value():
            cell.fill(SAMPLE_VALUES["text"])
    for cell in form.locator("tr[data-row] input[type=time]").all():
        if not cell.input_value():
            cell.fill(SAMPLE_VALUES["time"])


def expect_slot_done(page: Page, case_url: str, slot_label: str) -> None:
    page.goto(case_url)
    expect(slot_row(page, slot_label)).to_contain_text("已完成")


# The online template the walk fills in a slot that offers it (the header block and one row).
ONLINE_CHOICES = ("pre_conference_a", "anecdotal_record", "post_conference_a")


def template_for_slot(slot: FormSlot):
    """The template a teacher picks for a slot: a walked online form where the slot offers one,
    else its first (an upload slot has one)."""
    code = next((code for code in ONLINE_CHOICES if code in slot.template_codes), slot.template_codes[0])
    return get_template(code)


def apply_and_fill_every_slot(page: Page, pdf_path, who: Applicant = ADVANCED) -> str:
    """認證專區 → the type → 申請, then every slot of the type in list order: a PDF for an upload,
    the required fields of an online form; returns 流程進度's address."""
    nav(page, "認證專區")
    page.get_by_role("link", name=who.type_name, exact=True).click()
    expect(page.get_by_text("資格不符")).to_have_count(0)
    page.get_by_role("button", name="申請").click()
    expect(page).to_have_title(re.compile(f"^{who.short} - 流程進度"))
    expect_state(page, "準備資料")
    case_url = page.url
    slots = FormSlot.objects.filter(certification_type__name=who.type_name).order_by("sort_order", "id")
    for slot in slots:
        if slot.is_filled_by_school:
            # The 推薦表: the teacher has nothing to choose; the school fills it (its own pages are
            # clicked in certification's test_browser_school).
            expect(slot_row(page, slot.label)).to_contain_text("由學校填寫")
            recommended_by_school(the_case(who), slot)
            expect_slot_done(page, case_url, slot.label)
            continue
        template = template_for_slot(slot)
        choose_template(page, slot.label, template.title)
        if template.is_upload:
            expect(page.get_by_text("限制PDF,檔案限制 2MB")).to_be_visible()
            upload_pdf(page, pdf_path)
        else:
            expect(page.get_by_label("觀課人員").first).to_have_value(re.compile(who.name))
            fill_required_fields(page)
            save_form(page)
        expect_slot_done(page, case_url, slot.label)
    return case_url


def recommended_by_school(case: Case, slot: FormSlot) -> None:
    """The school's 推薦表 of a case, filled by a 學校承辦人 of the case's school (granted by the
    school's county, as its page does) through the service the school's page calls."""
    teacher = factories.teacher(
        name="校承辦",
        account=f"t-school-{case.school_id}",
        county_name=case.school.county.name,
        school_name=case.school.name,
    )
    officer = User.objects.get(role=Role.COUNTY, county=case.school.county)
    school_officers.grant(officer, case.school, teacher.inservice_account)
    template = get_template(slot.template_codes[0])
    data = {"teacher": case.teacher.name, "school": case.school.name, "meeting_name": "教師專業發展會議"}
    data |= {"meeting_date": today().isoformat(), "decision": "recommend", "principal": "陳校長", "reasons": "推薦"}
    school_recommendation.save(case, slot, template, officer=teacher, data=data, is_complete=True, expected_revision=0)


def edit_online_form(page: Page, case_url: str, slot_label: str, field_label: str, value: str) -> None:
    """編輯 a filled online form, change one answer, 儲存; the slot stays 已完成."""
    page.goto(case_url)
    slot_row(page, slot_label).get_by_role("link", name="編輯").click()
    page.get_by_label(field_label, exact=True).first.fill(value)
    save_form(page)
    expect_slot_done(page, case_url, slot_label)


def press(page: Page, button: str, done: str) -> None:
    """The state's action on 流程進度: a 送出 (送出審查文件, 送出複審資料, 申復重新送審) opens its
    check first, 確認送出 sends; 申復 is a button of its own."""
    link = page.get_by_role("link", name=button, exact=True)
    if link.count():
        link.click()
        expect(page.get_by_role("heading", name=f"確認{button}")).to_be_visible()
        page.get_by_role("button", name="確認送出").click()
    else:
        page.get_by_role("button", name=button, exact=True).click()
    expect_flash(page, done)


def file_appeal(page: Page, case_url: str, reviewer_opinion: str, appeal_opinion: str, pdf_path=None) -> None:
    """As the seed: 編輯表單列表 申覆文件 · 認證審查結果申復表 · 新增; fill the form (and the optional
    PDF), 儲存 (a draft); then 申復 on 流程進度 sends it."""
    page.goto(case_url)
    row = page.locator('tr[data-slot="appeal"]')
    expect(row).to_contain_text("申覆文件")
    expect(row).to_contain_text("認證審查結果申復表")
    expect(row).to_contain_text("未填寫")
    row.get_by_role("link", name="新增").click()
    expect(page.get_by_role("heading", name="認證審查結果申復表")).to_be_visible()
    expect(page.get_by_label("認證教師")).to_have_value(TEACHER_NAME)
    page.get_by_label("審查委員意見 (請將認證資料審查表之意見填入)").fill(reviewer_opinion)
    page.get_by_label("申復意見 (請針對審查委員意見說明)").fill(appeal_opinion)
    expect(page.get_by_text("(如有相關證明資料，請與此上傳)")).to_be_visible()
    if pdf_path is not None:
        # The file box (Chromium names a file input as a button); its section carries the same label.
        page.get_by_role("button", name="相關證明資料（選填）").set_input_files(str(pdf_path))
    page.get_by_role("button", name="儲存").first.click()
    expect_flash(page, "已儲存認證審查結果申復表。")
    expect(page.locator('tr[data-slot="appeal"]')).to_contain_text("已完成")
    page.get_by_role("button", name="申復", exact=True).click()
    expect_flash(page, "已提出申復，縣市教專中心將確認是否受理。")


def open_review_forms(page: Page, case_url: str, title: str) -> None:
    """查看表單列表 on 流程進度 → the row of one of the read-only review forms (`形式審查表 查看`) → 查看."""
    page.goto(case_url)
    links = page.get_by_role("region", name="查看表單列表")
    row = links.get_by_role("row").filter(has=page.get_by_role("rowheader", name=title, exact=True))
    row.get_by_role("link", name=re.compile("^查看")).click()
    expect(page.get_by_role("heading", name="查看表單列表")).to_be_visible()


def expect_certificate(
    page: Page, number: str, academic_year: int, issued_on: str, who: Applicant = ADVANCED, valid_through="無期限"
) -> None:
    """The header's name → 個人資訊 → 認證證號: 類別 · 學年度 · 證號 · 發證時間 · 有效期限 · 證書 (its
    PDF), and the 數位研習證明."""
    page.locator(".site-user").get_by_role("link", name=f"{who.name}老師").click()
    page.get_by_role("navigation", name="個人資訊").get_by_role("link", name="認證證號").click()
    row = page.get_by_role("table", name="認證證號").get_by_role("row").filter(has_text=number)
    expect(row.locator("td")).to_have_text(
        [
            who.short,
            str(academic_year),
            number,
            issued_on,
            valid_through,
            f"下載證書 PDF（{number}） · 查驗頁面（{number}）",
        ]
    )
    training = page.get_by_role("table", name="數位研習證明").get_by_role("row").filter(has_text=f"{who.training}培訓")
    expect(training.locator("td")).to_have_text([f"{who.training}培訓 數位研習證明", issued_on])


# --- 訊息通知 and the email -------------------------------------------------------------------------


@dataclass
class Mailbox:
    """The SMTP server's messages, each handed to one check: deliver() runs a worker pass (the
    background task queue) and adds what arrived to `pending`; a check takes its message out."""

    server: object
    seen: int = 0
    pending: list = field(default_factory=list)

    def deliver(self) -> None:
        call_command("run_worker", "--once", stdout=io.StringIO())
        self.pending.extend(self.server.messages[self.seen :])
        self.seen = len(self.server.messages)

    def drain(self) -> None:
        """Deliver and forget: the mails of steps a test prepared through the services."""
        self.deliver()
        self.pending.clear()

    def take(self, title: str):
        self.deliver()
        matching = [message for message in self.pending if title in message.subject]
        subjects = [message.subject for message in self.pending]
        assert len(matching) == 1, f"expected one email titled {title!r}, got {subjects}"
        self.pending.remove(matching[0])
        return matching[0]


def expect_email(mailbox: Mailbox, title: str, body_lines: list[str], to: str = TEACHER_EMAIL) -> None:
    """One email to the teacher whose subject carries the title and whose body the content."""
    message = mailbox.take(title)
    assert message.rcpt_tos == [to]
    for line in body_lines:
        assert line in message.text, f"{line!r} not in the email:\n{message.text}"


def expect_notification(
    page: Page, mailbox: Mailbox, title: str, body: str, *, extra: tuple[str, ...] = (), to: str = TEACHER_EMAIL
) -> None:
    """訊息通知: the row (標題 · 內容), the message (訊息內容) and 確認; then the same words by email.

    `body` is the catalogue's text; `extra` are lines the message adds (原因, 申復期限)."""
    nav(page, "訊息通知")
    expect(page.get_by_role("heading", name="訊息通知")).to_be_visible()
    link = page.get_by_role("link", name=title, exact=True)
    row = page.get_by_role("row").filter(has=link).first
    expect(row).to_contain_text("未讀")
    # 內容 shows the beginning of the message.
    expect(row.locator("td").nth(1)).to_contain_text(body[:30])
    row.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    article = page.locator("article")
    expect(article).to_contain_text("訊息內容")
    expect(article).to_contain_text(body)
    for line in extra:
        expect(article).to_contain_text(line)
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", name="訊息通知")).to_be_visible()
    expect(
        page.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True)).first
    ).not_to_contain_text("未讀")
    expect_email(mailbox, title, [body, *extra], to=to)


# --- 縣市 and 管理者 ---------------------------------------------------------------------------------


def open_office_case(page: Page, state_label: str, teacher_name: str = TEACHER_NAME, short: str = SHORT) -> None:
    """功能專區 → 認證審查 → the state's tab → the teacher's case."""
    workspace(page, "認證審查")
    tabs = page.get_by_role("navigation", name="依狀態")
    tabs.get_by_role("link", name=re.compile(rf"^{re.escape(state_label)} \d+$")).click()
    page.locator("table.queue-table").get_by_role("link", name=teacher_name, exact=True).click()
    expect(page).to_have_title(re.compile(f"^{short} - {teacher_name} - 認證審查"))
    expect_state(page, state_label)


def formal_review(
    page: Page, *, passed: bool, reason: str = "", wrong: dict[str, str] | None = None, screenshot=None
) -> None:
    """形式審查表: 是 for every slot (否 with its reason for those in `wrong`), 原因訊息, then the button."""
    wrong = wrong or {}
    form = page.locator("form.formal-review-form")
    settled(page)
    for row in form.locator("tr[data-formal-slot]").all():
        label = row.get_by_role("rowheader").inner_text().strip()
        if label in wrong:
            row.get_by_label("否", exact=True).check()
            row.get_by_label(f"{label} 原因").fill(wrong[label])
        else:
            row.get_by_label("是", exact=True).check()
    if reason:
        form.get_by_label(re.compile("^原因訊息")).fill(reason)
    if screenshot is not None:
        screenshot(page)
    button = "通過 (準備分發委員)" if passed else "退件 (退回再編輯修正)"
    form.get_by_role("button", name=button).click()
    expect_flash(page, "形式審查已通過 (準備分發委員)。" if passed else "已退件 (退回再編輯修正)。")


def assign_reviewers(page: Page, round_label: str, names: list[str]) -> None:
    """分發委員 from the office's case page: tick exactly `names`, 分發委員. Fewer names than the
    count (REVIEWERS_PER_CASE) need 確認委員人數不足，仍要分發: the page shows the box when conflicts
    leave too few 委員, else after refusing the short panel once."""
    page.get_by_role("link", name="分發委員", exact=True).click()
    expect(page.get_by_role("heading", name=f"分發{round_label}委員")).to_be_visible()
    settled(page)
    for box in page.locator("table.reviewer-options input[name=reviewers]").all():
        if box.is_disabled():
            continue
        name = page.locator(f"label[for='{box.get_attribute('id')}']").inner_text().strip()
        box.set_checked(name in names)
    required = assignment.reviewers_per_case()
    if len(names) < required:
        confirm = page.get_by_label(short_panels.CONFIRM_LABEL)
        if not confirm.count():
            page.get_by_role("button", name="分發委員").click()
            expect_flash(page, short_panels.refusal(len(names), required))
        confirm.check()
    page.get_by_role("button", name="分發委員").click()
    expect_flash(page, f"已分發{round_label}委員：{'、'.join(names)}。")


def decide(page: Page, numbered_choice: str, reason: str = "") -> None:
    """初審判定 / 複審判定 / 申復判定: the numbered decision (e.g. "2. 修正後複審"), 原因訊息, 送出判定."""
    form = page.locator("form.decision-form")
    form.get_by_label(numbered_choice, exact=True).check()
    if reason:
        form.get_by_label(re.compile("^原因訊息")).fill(reason)
    form.get_by_role("button", name="送出判定").click()
    expect_flash(page, f"已判定「{numbered_choice.split('. ', 1)[1]}」。")


def take_appeal(page: Page, numbered_choice: str, reason: str = "") -> None:
    """申復審查 (受理中): 1. 申復申請案受理 (將進行申復審查) or 2. 申復申請案未受理."""
    form = page.locator("form.appeal-intake-form")
    form.get_by_label(numbered_choice, exact=True).check()
    if reason:
        form.get_by_label(re.compile("^原因訊息")).fill(reason)
    form.get_by_role("button", name="送出").click()
    expect_flash(page, "申復申請案已受理。" if numbered_choice.startswith("1.") else "申復申請案未受理。")


def issue(page: Page, teacher_name: str = TEACHER_NAME, screenshot=None, short: str = SHORT) -> None:
    """管理者's 發證作業: tick the case, 核定可產證 → 確定; tick it again, 發證 → 確定發證. Each batch's
    page waits for the worker (run here, as its job would) and its bar runs to the end by itself."""
    for code, section, button, done in (
        ("approve", "待核定可產證", "核定可產證", "已核定可產證 1 件。"),
        ("issue", "待發證", "發證", "已發證 1 件。"),
    ):
        workspace(page, "發證作業")
        batch = page.get_by_role("region", name=re.compile(f"^{section}"))
        batch.get_by_label(f"選取 {teacher_name} {short}").check()
        if screenshot is not None:
            screenshot(page, f"review-path-issuing-{code}")
        batch.get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_role("heading", name=f"確認{button}")).to_be_visible()
        page.get_by_role("button", name=f"確定{button}").click()
        expect_flash(page, f"已建立「{button}」批次，共 1 件")
        expect(page.locator(".issuing-state")).to_have_text("排隊中")
        bar = page.get_by_role("progressbar", name="處理進度")
        expect(bar).to_have_attribute("value", "0")
        expect(bar).to_have_attribute("max", "1")
        issuing.run_batches()
        expect(page.locator(".issuing-state")).to_have_text("已完成")
        expect(bar).to_have_attribute("value", "1")
        expect(page.locator(".issuing-result")).to_have_text(done)


# --- 委員 -------------------------------------------------------------------------------------------


def review(
    page: Page, round_label: str, recommendation: str, comment: str, screenshot=None, short: str = SHORT
) -> None:
    """功能專區 → 審查案件 → 審查 the round's case: every row's 審查意見 and 審查等級, the
    審查結果建議, 送出."""
    workspace(page, "審查案件")
    page.get_by_role("link", name=re.compile(rf"^審查\s*：{short} \d+ {round_label}$")).click()
    expect(page.get_by_role("heading", name=f"{short} - {round_label}")).to_be_visible()
    form = page.locator("form.online-form")
    rubric = form.locator("table.rubric")
    settled(page)
    for row in rubric.locator("tbody tr[id]").all():
        code = row.locator(".rubric-code").inner_text().strip()
        row.get_by_label(f"{code} 審查意見").fill(f"{comment}（第{code}項）")
        row.get_by_label(f"{code} 審查等級：第1-2等級 優良").check()
    form.get_by_label(recommendation, exact=True).check()
    if screenshot is not None:
        screenshot(page)
    form.get_by_role("button", name="送出", exact=True).first.click()
    expect_flash(page, "已送出審查標準表。")
    expect(page.get_by_text("此審查標準表已送出，僅供檢視。")).to_be_visible()


# --- the steps another test already clicks, through the services the pages call ---------------------


def fill_every_slot(case: Case) -> None:
    """Complete answers in the six 進階 slots: real PDFs in the uploads, the online forms as the
    engine reads them from a page."""
    for slot in FormSlot.objects.filter(certification_type=case.certification_type):
        if slot.code in ONLINE_ANSWERS:
            code, posted = ONLINE_ANSWERS[slot.code]
            template = get_template(code)
            data, missing, errors = engine.validate(template, posted)
            assert not missing and not errors, (missing, errors)
            answers.save_answer(case, slot, template, data=data, is_complete=True, expected_revision=None)
        else:
            factories.answer(case, slot.code)


def review_data(recommendation: str, comment: str) -> dict:
    """A 進階審查標準表 as a 委員 hands it in: every row rated, commented, and a recommended result."""
    rows = {str(code): {"facts": f"{comment}（第{code}項）", "rating": "grade_4"} for code in range(1, 7)}
    return {"grades": rows, "recommendation": recommendation}


def _submit_round(case: Case, round: str, recommendation: str, comment: str) -> None:
    for item in Assignment.objects.filter(case=case, round=round, submitted_at__isnull=True):
        reviewing.save_review(item, review_data(recommendation, comment), submit=True, expected_revision=item.revision)
    case.refresh_from_db()


def prepare_case(until: str, *, first_comment: str = "", second_comment: str = "") -> Case:
    """The demo teacher's 進階 case brought to `until` (形式審查, 初審判定 or 複審判定) by the
    services the pages call, each step by the role that takes it (taipei, reviewer1, the teacher)."""
    teacher = demo_teacher()
    officer = User.objects.get(username="taipei")
    reviewer = User.objects.get(username="reviewer1")
    case = factories.case(teacher)
    fill_every_slot(case)
    workflow.transition(case, "submit", actor=teacher, expected_revision=case.revision)
    if until == workflow.State.FORMAL_REVIEW:
        return case
    verdicts = {slot.code: {"ok": True, "reason": ""} for slot in selectors.case_slots(case)}
    office.formal_review(case, officer, verdicts, True, expected_revision=case.revision)
    assignment.assign_reviewers(case, ReviewRound.FIRST, [reviewer], officer, case.revision, short_confirmed=True)
    _submit_round(case, ReviewRound.FIRST, "revise", first_comment or "請補充觀察紀錄的具體事實")
    if until == workflow.State.FIRST_DECISION:
        return case
    office.decide(case, officer, "first_revise", "請依初審意見修正後送複審", expected_revision=case.revision)
    workflow.transition(case, "resubmit", actor=teacher, expected_revision=case.revision)
    assignment.assign_reviewers(case, ReviewRound.SECOND, [reviewer], officer, case.revision, short_confirmed=True)
    _submit_round(case, ReviewRound.SECOND, "fail", second_comment or "修正後仍缺少觀察後回饋會談的具體內容")
    assert case.state == until == workflow.State.SECOND_DECISION
    return case


# --- time -------------------------------------------------------------------------------------------


@contextmanager
def clock_moved_to(moment):
    """django.utils.timezone.now runs from `moment` on (the live server shares this process, so its
    pages, the workflow's guards and the worker's jobs all see the moved clock)."""
    real_now = timezone.now
    offset = moment - real_now()
    with mock.patch("django.utils.timezone.now", lambda: real_now() + offset):
        yield
