"""Playwright driving Debian's Chromium (never a downloaded browser) against the live test server.

Every browser context of the tests comes from `new_context`, which watches what the browser
refuses: a Content-Security-Policy violation (an inline script or style, a source the policy does
not list), a Permissions-Policy header it cannot read, or a page of the platform served without the
policy. A test during which any of these happened fails (`browser_problems`), so a page that breaks
the policy is found by the test that opens it.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach the closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "test-artifacts"))


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium package (apt-get install chromium)"
        # CI installs Chromium, so there a missing browser is a failure; on a newcomer's machine with
        # only Python the rest of the suite still runs and the browser tests say what they need.
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by
    # the test itself are still synchronous, so Django's async guard must step aside.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Runs in every document (and frame) before the page's own scripts: a refusal also reaches the
# console as a line the watcher below recognises, with the directive and the source.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.effectiveDirective + " refused " + (event.blockedURI || "inline")
    + " at " + event.sourceFile + ":" + event.lineNumber + " " + (event.sample || ""));
}, true);
"""
# What Chromium writes to the console when it refuses something under a policy header.
_POLICY_WORDS = ("Content Security Policy", "Content-Security-Policy", "CSP violation", "Permissions-Policy")
_problems: list[str] = []


def new_context(browser, base_url: str):
    """A browser context as a user at a desk has it (Taiwan's locale and time zone), watched."""
    context = browser.new_context(locale="zh-TW", timezone_id="Asia/Taipei", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    # Assertions wait as long as actions: on a machine running two suites at once a page may take
    # more than expect()'s own 5 seconds, and a passing test never waits for the limit.
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    context.add_init_script(_REPORT_VIOLATIONS)
    context.on("console", _watch_console)
    context.on("response", lambda response: _watch_response(base_url, response))
    return context


def _watch_console(message) -> None:
    if message.type in ("error", "warning") and any(word in message.text for word in _POLICY_WORDS):
        _problems.append(f"{message.location.get('url', '')}: {message.text}")


def _watch_response(base_url: str, response) -> None:
    if response.request.resource_type != "document" or not response.url.startswith(base_url):
        return
    if response.headers.get("content-type", "").startswith("text/html"):
        if "content-security-policy" not in response.headers:
            _problems.append(f"{response.url}: an HTML page without a Content-Security-Policy header")


@pytest.fixture(autouse=True)
def browser_problems(request):
    """Fails a browser test during which the browser refused anything under the platform's policies."""
    if "chromium" not in request.fixturenames:
        yield
        return
    _problems.clear()
    yield
    found, _problems[:] = list(_problems), []
    assert not found, "The browser refused these under the platform's policies:\n" + "\n".join(found)


@pytest.fixture
def page(chromium, live_server):
    context = new_context(chromium, live_server.url)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in_with_session(page, user) -> None:
    """Start the browser signed in as `user` (staff with their second factor too), as the SSO
    callback or the staff sign-in would leave it; each of those is clicked by a browser test of its
    own. The cookies of anyone signed in before are dropped first."""
    from django.conf import settings

    from proteacher.testing.second_factor import SignInClient

    page.context.clear_cookies()
    client = SignInClient()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.base_url}])


def sign_in_through_identity_page(page, name: str) -> None:
    """使用者登入 → 帳號漫遊登入 → pick an identity on the development identity page → 確定登入.

    Needs settings.DEBUG on and no OIDC_ISSUER (the live server shares the test's settings).
    """
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="使用者登入").first.click()
    page.get_by_role("link", name="全國教師在職進修資訊網 帳號漫遊登入").click()
    assert "身份認證漫遊服務" in page.content()
    page.get_by_label(name).check()
    page.get_by_role("button", name="確定登入").click()
