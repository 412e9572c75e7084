from django.urls import reverse


def test_home_shows_title_navigation_and_login_entry(client, db):
    page = client.get(reverse("portal:home")).content.decode()
    assert "教育部" in page and "教師專業發展支持作業平臺" in page
    assert "Teacher Support System for Professional Development" in page
    nav = ["首頁", "認證專區", "功能專區", "訊息通知", "檔案下載", "操作教學"]
    positions = [page.index(f">{label}</a>") for label in nav]
    assert positions == sorted(positions)
    assert "使用者登入" in page


def test_header_greets_teacher_with_role(client, teacher):
    client.force_login(teacher)
    page = client.get(reverse("portal:home")).content.decode()
    assert "黃測試老師" in page and "(教師)" in page and "登出" in page


def test_breadcrumbs_on_notifications(client, teacher):
    client.force_login(teacher)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert 'aria-label="頁面路徑"' in page and ">訊息通知</li>" in page


def test_page_title_names_the_page_then_the_platform(client, teacher):
    client.force_login(teacher)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "<title>訊息通知 - 教師專業發展支持作業平臺</title>" in page


def test_static_files_collect_for_production(settings, tmp_path):
    # Production serves hashed static files (whitenoise's manifest); a vendored file that
    # points to a missing source map would stop collectstatic and so the release.
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    assert (tmp_path / "static" / "staticfiles.json").exists()
