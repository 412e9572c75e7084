"""Every page, as every role, in the states that change it, at a phone's and a desk's width:
0 violations of axe-core's WCAG 2.1 A and AA rules, and no sideways scrolling at 390 px.

The pages are found the way a user finds them: each role signs in and follows every link of the
platform from its first page (a crawl), so a page nobody links to is not swept — and the coverage
test below fails for any page route the crawl did not reach, naming it. The world the crawl walks
has a case in each kind of state (empty, filled, sent, under review, decided, failed with 申復
open, issued); a page is swept once per role, route, case state and slot. Refused forms (a
field left empty, a wrong password, a certificate that is not found) are sent on purpose after
the crawl (REFUSALS), since no link leads to them.
"""

import os
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from proteacher.accounts import second_factor, verification
from proteacher.accounts.models import Role, User
from proteacher.accounts.services import create_staff_account
from proteacher.certification.models import Case
from proteacher.certification.workflow import State
from proteacher.registry.models import County
from proteacher.review import imports, issuing, office
from proteacher.testing import factories
from proteacher.testing.accessibility import DESK, PHONE, axe_findings, sideways_overflow
from proteacher.testing.browser import SCREENSHOTS, new_context
from proteacher.testing.review_walk import ADVANCED, BASIC, MENTOR, load_demo_data, prepare_case
from proteacher.testing.second_factor import SignInClient
from proteacher.testing.workflow import advance, verdicts

PHONE_SHOTS = bool(os.environ.get("SWEEP_PHONE_SHOTS"))

pytestmark = [pytest.mark.browser, pytest.mark.sweep, pytest.mark.django_db(transaction=True)]

# Links the crawl never follows: they leave the platform, end the session, or answer for machines.
NEVER_FOLLOWED = {
    "accounts:logout",
    "accounts:keep_alive",
    "portal:healthz",
    "portal:metrics",
}
NEVER_FOLLOWED_PREFIXES = ("api:v1:", "well_known:", "otp_webauthn:")

# Pages that end a signed-in session (signing in as someone else): swept by the signed-out visitors.
SIGNS_OUT = {"accounts:login", "accounts:dev_identity", "accounts:sso_start", "accounts:password_reset"}
SIGNED_OUT = {"anonymous"}

# No page of their own, but followed to the page they lead to.
PASSED_THROUGH = {"accounts:sso_start"}

# Routes that are no page of their own, and why (the coverage test leaves them out).
NOT_PAGES = {
    # Files and documents for download or print.
    "accounts:second_factor_codes_download": "a text file",
    "certification:held_pdf": "a PDF",
    "certification:slot_file": "the uploaded PDF",
    "documents:blank": "a .docx/.odt blank",
    "portal:personal_data": "a ZIP",
    "review:certificate_pdf": "a PDF",
    "review:export": "an .xlsx",
    "review:import_file": "the uploaded file",
    "review:import_sample": "a sample file",
    "review:slot_file": "the uploaded PDF",
    "review:submission_file": "the uploaded PDF",
    "statistics:export": "an .xlsx",
    "school:export": "an .xlsx",
    "verify:credential": "a signed credential (JWT)",
    "verify:status": "JSON",
    "review:issuing_batch_progress": "JSON polled by the batch page",
    "review:import_progress": "JSON polled by the import page",
    # Posted to, never opened: each answers with the page it came from.
    "accounts:profile_email": "POST only",
    "accounts:second_factor_renew_codes": "POST only",
    "accounts:staff_second_factor_reset": "POST only",
    "accounts:verify_resend": "POST only",
    "api:token_revoke": "POST only",
    "certification:slot_discard": "POST only",
    "certification:slot_draft": "POST only (自動儲存)",
    "certification:slot_use": "POST only",
    "review:appeal_intake": "POST only",
    "review:appeal_send": "POST only",
    "review:certificate_status": "POST only",
    "review:decide": "POST only",
    "review:extend_deadline": "POST only (延長期限 on the office's case page)",
    "review:extend_review_due": "POST only (延長審查期限 on the office's case page)",
    "review:formal": "POST only",
    "review:import_confirm": "POST only",
    "review:mail_resend": "POST only",
    "verify:credential_upload": "POST only",
    # Steps of a sign-in that pass through without a page.
    "accounts:sso_callback": "a redirect from the identity provider",
    "accounts:sso_start": "a redirect to the identity provider (the development identity page here)",
    "certification:apply": "POST only (申請 on the type's page)",
    "accounts:password_reset_confirm": "reached only from a reset email",
    "accounts:password_reset_complete": "reached only after a reset",
    "accounts:password_reset_done": "reached only after asking for a reset",
    **dict.fromkeys(NEVER_FOLLOWED, "not followed: see NEVER_FOLLOWED"),
}
# A URL kwarg that tells one object from another of the same kind: not part of a page's key.
ID_KWARGS = {"pk", "assignment_id", "number", "code", "token"}
# Several slots of one case show the same page shape; these are swept slot by slot.
PER_SLOT = {"certification:slot_edit", "certification:slot_print", "review:slot_print", "review:submission_print"}


def page_routes() -> set[str]:
    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield namespace + pattern.name

    return {
        name for name in walk(get_resolver()) if name not in NOT_PAGES and not name.startswith(NEVER_FOLLOWED_PREFIXES)
    }


# --- the world ------------------------------------------------------------------------------------


@dataclass
class Visitor:
    """Someone the crawl signs in as (None: nobody), the session they are in, and where they start."""

    user: User | None
    starts: list[str]
    session: dict = field(default_factory=dict)
    password_only: bool = False


def build_world() -> dict[str, Visitor]:
    """make run's demo data, with a case in each kind of state the pages show differently, and a
    visitor at each step of signing in."""
    load_demo_data()
    admin = User.objects.get(username="admin")
    officer = User.objects.get(username="taipei")
    # 黃測試: a 進階 case through 初審 修正後複審 and a 複審 waiting for its 判定 (two rounds, assignments).
    prepare_case(State.SECOND_DECISION)
    # 劉初階: an empty 初階 case, and a 進階 case failed with 申復 open.
    basic = User.objects.get(inservice_account=BASIC.account)
    factories.case(basic, "basic")
    advance(factories.case(basic, "advanced"), State.FIRST_FAILED, admin)
    # 許輔導: a 教學輔導教師 case sent to 形式審查, a 進階 case to revise, a 初階 case to assign.
    mentor = User.objects.get(inservice_account=MENTOR.account)
    advance(factories.case(mentor, "mentor"), State.FORMAL_REVIEW, admin)
    advance(factories.case(mentor, "advanced"), State.FIRST_REVISION, admin)
    to_assign = advance(factories.case(mentor, "basic"), State.FIRST_ASSIGN, admin)
    # Another 臺北市 teacher with an issued certificate (認證證號, the office's issued case).
    holder = factories.teacher("陳已發證", account="t-issued", county_name="臺北市")
    advance(factories.case(holder, "advanced"), State.ISSUED, admin)
    # 陳已發證's 初階 case returned by 形式審查 (退件: back in 準備資料 with the reason).
    returned = advance(factories.case(holder, "basic"), State.FORMAL_REVIEW, admin)
    office.formal_review(
        returned, officer, verdicts(returned, passed=False), False, "實施證明缺少核章。", returned.revision
    )
    # A 臺北市 teacher whose 申復 waits for 受理.
    appellant = factories.teacher("蔡申復", account="t-appeal", county_name="臺北市")
    advance(factories.case(appellant, "advanced"), State.APPEAL_INTAKE, admin)
    # A 教學輔導教師 candidate of 成淵高中, whose 推薦表 its 學校承辦人 (黃測試, in the demo data) fills.
    candidate = factories.teacher("何候選", account="t-candidate", school_name="臺北市立成淵高級中學")
    factories.case(candidate, "mentor")
    # A case sent before submissions were kept (the office reads its forms as saved, not as frozen).
    legacy = factories.teacher("鄭舊案", account="t-legacy", county_name="臺北市")
    legacy_case = factories.case(legacy, "advanced")
    factories.fill_every_slot(legacy_case)
    Case.objects.filter(pk=legacy_case.pk).update(state=State.FORMAL_REVIEW)
    # 管理者's pages of a 發證 batch and of a 資料匯入 run.
    issuing.create_batch("approve", [(to_assign.pk, None)], admin, issuing.new_token())
    upload = SimpleUploadedFile("學校.csv", "學校代碼,學校名稱,縣市\n900001,測試國中,臺北市\n".encode())
    imports.submit("schools", upload, actor=admin, by="工作小組")
    # Teachers on their way through 教師驗證: step 1, the emailed code, step 2 (資料轉移).
    new = factories.teacher("林新進", account="t-new", verified=False)
    coded = factories.teacher("周驗證", account="t-coded", verified=False)
    coded.profile.pending_email = coded.email
    coded.profile.save(update_fields=["pending_email"])
    verification.send_code(coded, coded.email)
    transferring = factories.teacher("吳轉移", account="t-transfer", verified=False)
    transferring.profile.email_verified_at = timezone.now()
    transferring.profile.save(update_fields=["email_verified_at"])
    # Staff between the password and the second factor, with and without an authenticator.
    fresh = create_staff_account(
        username="newofficer",
        name="新進承辦",
        email="newofficer@proteacher.example.tw",
        role=Role.COUNTY,
        password=factories.PASSWORD,
        county=County.objects.get(name="臺北市"),
    )
    everyone = ["/"]
    return {
        "anonymous": Visitor(None, ["/", "/accessibility/", "/verify/", "/accounts/login/"]),
        "teacher": Visitor(User.objects.get(inservice_account=ADVANCED.account), everyone),
        # 學校專區 of a teacher who holds no grant says so.
        "teacher_basic": Visitor(basic, ["/", "/school/"]),
        "teacher_mentor": Visitor(mentor, everyone),
        "teacher_issued": Visitor(holder, everyone),
        "teacher_new": Visitor(new, everyone),
        "teacher_coded": Visitor(coded, ["/accounts/verify/email/"]),
        "teacher_transfer": Visitor(transferring, ["/certification/transfer/"]),
        "teacher_appeal": Visitor(appellant, everyone),
        "county": Visitor(officer, everyone),
        "reviewer": Visitor(User.objects.get(username="reviewer1"), everyone),
        # 管理者 just given new recovery codes (shown once).
        "admin": Visitor(
            admin,
            ["/", "/accounts/second-factor/recovery-codes/"],
            session={second_factor.NEW_CODES_KEY: ["1234-5678", "2345-6789"]},
        ),
        "staff_second_step": Visitor(User.objects.get(username="reviewer2"), everyone, password_only=True),
        "staff_enrolling": Visitor(fresh, everyone, password_only=True),
    }


def signed_in_context(chromium, base_url: str, visitor: Visitor):
    context = new_context(chromium, base_url)
    if visitor.user is not None:
        client = SignInClient()
        if visitor.password_only:
            client.password_only(visitor.user)
        else:
            client.force_login(visitor.user)
        if visitor.session:
            session = client.session
            session.update(visitor.session)
            session.save()
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    return context


# --- the crawl ------------------------------------------------------------------------------------


# Where a user can go from the page: every link they can see or open (a menu's items are hidden
# until it opens; a link a script completes first is not), and each choice of a GET form with one
# list to choose from (表件 of a slot: the online form it opens, empty).
_LINKS = """
() => {
  const found = [];
  for (const link of document.querySelectorAll("a[href]")) {
    if (link.getClientRects().length || link.closest(".dropdown-menu")) found.push(link.href);
  }
  for (const form of document.querySelectorAll("form[method=get]")) {
    const lists = form.querySelectorAll("select[name]");
    if (lists.length !== 1) continue;
    for (const option of lists[0].options) {
      if (!option.value) continue;
      // form.action may be a field named "action": read the attribute.
      const url = new URL(form.getAttribute("action") || "", document.baseURI);
      url.searchParams.set(lists[0].name, option.value);
      found.push(url.href);
    }
  }
  return found;
}
"""


# The screenshots of 操作教学 (portal.help_pages): the page a role sees first for a route and state.
HELP_SHOTS = {
    ("teacher_issued", "certification:case", State.PREPARING): "help-teacher-returned",
    ("teacher_mentor", "certification:case", State.FIRST_REVISION): "help-teacher-revision",
    ("teacher_basic", "certification:case", State.FIRST_FAILED): "help-teacher-appeal",
    ("teacher_issued", "certification:held", ""): "help-teacher-certificates",
    ("staff_second_step", "accounts:second_factor", ""): "help-staff-second-factor",
    ("county", "review:queue", ""): "help-office-queue",
    ("county", "review:case", State.FORMAL_REVIEW): "help-office-formal",
    ("county", "review:assign", State.FIRST_ASSIGN): "help-office-assign",
    ("county", "review:case", State.SECOND_DECISION): "help-office-decide",
    ("county", "review:case", State.APPEAL_INTAKE): "help-office-appeal-intake",
    ("county", "statistics:page", ""): "help-office-statistics",
    ("reviewer", "review:my_cases", ""): "help-reviewer-cases",
    ("reviewer", "review:review_form", ""): "help-reviewer-form",
    ("admin", "certification:settings", ""): "help-admin-settings",
    ("admin", "review:issuing", ""): "help-admin-issuing",
    ("admin", "accounts:staff_list", ""): "help-admin-staff",
    ("admin", "review:imports", ""): "help-admin-imports",
}


class Sweep:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.findings: list[str] = []
        self.overflows: list[str] = []
        self.reached: set[str] = set()
        self.swept = 0
        self.shots: set[str] = set()
        self.downloads: list[str] = []

    def key(self, role: str, url: str):
        """What makes two URLs the same page for the sweep (None: not a page of the platform)."""
        parts = urlsplit(url)
        if not url.startswith(self.base_url):
            return None
        try:
            match = resolve(parts.path)
        except Resolver404:
            return None
        route = match.view_name
        if route in NEVER_FOLLOWED or route.startswith(NEVER_FOLLOWED_PREFIXES):
            return None
        if route in NOT_PAGES and route not in PASSED_THROUGH:
            return None
        if route in SIGNS_OUT and role not in SIGNED_OUT:
            return None
        kwargs = dict(match.kwargs)
        state = ""
        if "pk" in kwargs and (route.startswith("certification:") or route.startswith("review:")):
            state = Case.objects.filter(pk=kwargs["pk"]).values_list("state", flat=True).first() or ""
        shape = tuple(sorted((k, str(v)) for k, v in kwargs.items() if k not in ID_KWARGS))
        if route not in PER_SLOT:
            shape = tuple((k, v) for k, v in shape if k != "slot_code")
        query = tuple(sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}))
        return (role, route, state, shape, query)

    def check(self, page, label: str = "") -> None:
        """axe at both widths and the phone's overflow, on the page as it stands."""
        self.swept += 1
        where = f" [{label}]" if label else ""
        self.findings += [str(found) + where for found in axe_findings(page, DESK["width"])]
        page.set_viewport_size(PHONE)
        if PHONE_SHOTS:
            # SWEEP_PHONE_SHOTS=1: every page as a phone shows it, to look at (test-artifacts/phone/).
            (SCREENSHOTS / "phone").mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "phone" / f"{self.swept:03d}-{label.replace(', ', '-')}.png"))
        overflow = sideways_overflow(page)
        if overflow:
            self.overflows.append(overflow + where)
        self.findings += [str(found) + where for found in axe_findings(page, PHONE["width"])]
        page.set_viewport_size(DESK)

    def shoot(self, page, role_route_state: tuple) -> None:
        """The help's screenshot of this page, if it is one, at a desk's width (the window, not the
        whole length of the page)."""
        name = HELP_SHOTS.get(role_route_state)
        if name and name not in self.shots:
            self.shots.add(name)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    def crawl(self, context, role: str, start: list[str]) -> None:
        page = context.new_page()
        seen = set()
        queue = deque(self.base_url + path for path in start)
        while queue:
            url = queue.popleft()
            key = self.key(role, url)
            if key is None or key in seen:
                continue
            seen.add(key)
            try:
                response = page.goto(url)
            except PlaywrightError as error:
                if "Download is starting" not in error.message:
                    raise
                self.downloads.append(f"{key[1]} ({url}) answers with a file: add it to NOT_PAGES")
                continue
            if response is None or not response.headers.get("content-type", "").startswith("text/html"):
                continue
            landed = self.key(role, page.url)
            if landed is None:
                continue
            if landed[1] in PASSED_THROUGH:
                continue
            self.reached.add(landed[1])
            self.shoot(page, landed[:3])
            self.check(page, role)
            queue.extend(href.split("#")[0] for href in page.evaluate(_LINKS))
        page.close()


def office_case_in(state: str) -> str:
    return reverse("review:case", args=[Case.objects.filter(state=state, county__name="臺北市").order_by("pk")[0].pk])


# Forms sent wrong on purpose (no link leads to a refusal): who, the page, the form, what is typed.
REFUSALS = [
    ("anonymous", lambda: "/accounts/login/", "main form[method=post]", {"username": "admin", "password": "不是密碼"}),
    ("anonymous", lambda: "/verify/", "form.verify-form", {"number": "Z999999999", "name": "王小明"}),
    ("anonymous", lambda: "/verify/", "form.verify-credential-form", {"text": "not a credential"}),
    ("teacher_new", lambda: "/accounts/verify/", "main form[method=post]", {}),
    ("admin", lambda: reverse("certification:settings_new"), "main form[method=post]", {}),
    ("county", lambda: office_case_in(State.FORMAL_REVIEW), "form.formal-review-form", {}),
    ("county", lambda: office_case_in(State.FIRST_REVISION), "form.extend-deadline-form", {}),
]


def refuse(sweep: Sweep, context, role: str) -> None:
    page = context.new_page()
    for who, path, form, typed in REFUSALS:
        if who != role:
            continue
        page.goto(sweep.base_url + path())
        for name, value in typed.items():
            page.locator(f"{form} [name={name}]").fill(value)
        page.locator(f"{form} [type=submit]").first.click()
        page.wait_for_load_state()
        sweep.check(page, f"{role}, refused")
    page.close()


def test_every_page_as_every_role_passes_axe_and_fits_a_phone(chromium, live_server, settings):
    # The development identity page stands in for the national network's SSO.
    settings.DEBUG = True
    settings.OIDC_ISSUER = ""
    sweep = Sweep(live_server.url)
    contexts = {}
    for role, visitor in build_world().items():
        contexts[role] = signed_in_context(chromium, live_server.url, visitor)
        sweep.crawl(contexts[role], role, visitor.starts)
    # A refusal may answer 404 (a certificate not found), which Django's debug mode serves without
    # the platform's headers: the refusals are sent as on a live platform.
    settings.DEBUG = False
    for role, context in contexts.items():
        refuse(sweep, context, role)
        context.close()

    unreached = sorted(page_routes() - sweep.reached)
    problems = []
    problems += sweep.downloads
    missed_shots = sorted(set(HELP_SHOTS.values()) - sweep.shots)
    if missed_shots:
        problems.append("Screenshots of 操作教學 not taken (their page was not reached):")
        problems += missed_shots
    if unreached:
        problems.append("Pages the crawl did not reach (link them, or say in NOT_PAGES why they are none):")
        problems += unreached
    if sweep.overflows:
        problems.append("Sideways scrolling at 390 px:")
        problems += sweep.overflows
    if sweep.findings:
        problems.append(f"{len(sweep.findings)} violations of WCAG 2.1 A/AA rules:")
        problems += sweep.findings
    report = f"{sweep.swept} pages swept.\n" + "\n".join(problems)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "accessibility.txt").write_text(report + "\n", encoding="utf-8")
    assert not problems, report
