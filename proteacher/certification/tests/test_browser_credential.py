"""The digital credential in Chromium: anyone opens a certificate's verification page signed out,
downloads 數位憑證, and verifies the file on the same page (驗證成功, 有效); once the certificate is
revoked the same file reads 已撤銷; a file edited by hand is refused."""

import pathlib
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from proteacher.testing import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def verify_file(page, path: pathlib.Path) -> None:
    form = page.locator("form.verify-credential-form")
    form.get_by_label("數位憑證檔案").set_input_files(str(path))
    form.get_by_role("button", name="驗證").click()


def test_the_credential_is_downloaded_and_verified_on_the_page(page, live_server, settings, tmp_path):
    settings.SITE_URL = live_server.url
    certificate = factories.issued_certificate(factories.teacher(name="黃測試", account="t-huang"))

    page.goto(f"{live_server.url}/verify/{certificate.verify_code}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下載數位憑證").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert re.fullmatch(r"certificate-[A-Za-z0-9_-]{22}\.jwt", saved.name)
    assert saved.read_text().count(".") == 2

    verify_file(page, saved)
    expect(page.locator("#verify-credential-ok")).to_contain_text("驗證成功")
    expect(page.locator("#verify-credential-ok")).to_contain_text("證書目前狀態：有效")
    expect(page.get_by_role("region", name=re.compile("^查驗結果"))).to_contain_text("黃○試")

    certificate.revoked_at = timezone.now()
    certificate.revocation_category = "administrative"
    certificate.save()
    verify_file(page, saved)
    expect(page.locator("#verify-credential-ok")).to_contain_text("證書目前狀態：已撤銷")

    header, payload, signature = saved.read_text().split(".")
    edited = tmp_path / "edited.jwt"
    edited.write_text(f"{header}.{payload[:-1]}{'A' if payload[-1] != 'A' else 'B'}.{signature}")
    verify_file(page, edited)
    expect(page.locator("#credential-errors")).to_contain_text("簽章驗證失敗")
    expect(page.locator("#verify-credential-ok")).to_have_count(0)
