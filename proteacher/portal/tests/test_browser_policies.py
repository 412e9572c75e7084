"""The browser tests' watcher: what Chromium refuses under the platform's policies fails the test."""

import pytest
from playwright.sync_api import expect

from proteacher.testing import browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _serve(page, path: str, body: str, headers: dict) -> str:
    url = page.base_url + path
    page.route(
        url,
        lambda route: route.fulfill(
            status=200, headers={"Content-Type": "text/html; charset=utf-8", **headers}, body=body
        ),
    )
    return url


def test_an_inline_script_and_style_refused_by_the_policy_are_reported(page):
    policy = {"Content-Security-Policy": "default-src 'self'"}
    url = _serve(page, "/probe/", '<p style="color: red">紅字</p><script>document.title = "ran"</script>', policy)

    page.goto(url)
    page.wait_for_load_state("load")

    found = list(browser._problems)
    browser._problems.clear()  # the watcher did its work; this test itself must not fail for it
    assert page.title() != "ran"
    assert any("script-src" in line for line in found)
    assert any("style-src" in line for line in found)


def test_a_page_of_the_platform_without_the_policy_is_reported(page):
    url = _serve(page, "/bare/", "<p>沒有政策的頁面</p>", {})

    page.goto(url)

    found = list(browser._problems)
    browser._problems.clear()
    assert found == [f"{url}: an HTML page without a Content-Security-Policy header"]


def test_the_login_page_runs_its_script_under_the_policy(page):
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_role("link", name="縣市與管理者登入").click()

    assert page.evaluate("document.activeElement.name") == "username"
    assert page.url.endswith("#staff-login")
    assert browser._problems == []


def test_a_click_before_the_login_script_arrives_still_lands_in_the_account_field(page):
    # The script is a file loaded after the page: on a slow line the link is clicked before it runs.
    held = []
    page.route("**/static/js/login.js", lambda route: held.append(route))
    page.goto(page.base_url + "/accounts/login/", wait_until="commit")
    page.get_by_role("link", name="縣市與管理者登入").click()
    held[0].continue_()

    expect(page.locator("#staff-login").get_by_label("帳號")).to_be_focused()
    assert page.url.endswith("#staff-login")
