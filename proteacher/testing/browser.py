"""Playwright driving Debian's Chromium (never a downloaded browser) against the live test server."""

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


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(locale="zh-TW", timezone_id="Asia/Taipei", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


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
