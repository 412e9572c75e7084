"""Shared personas for every app's tests: a teacher, officers of two counties, reviewers, an admin."""

import pytest

from proteacher.testing import factories
from proteacher.testing.browser import browser_problems, chromium, page  # noqa: F401
from proteacher.testing.html_policy import every_html_response_carries_the_policy  # noqa: F401
from proteacher.testing.second_factor import SignInClient
from proteacher.testing.smtp import smtp_server  # noqa: F401


@pytest.fixture
def client():
    """Django's test client, whose force_login() also does a staff member's second factor (with an
    authenticator app of theirs, as the second step would); `client.password_only(user)` stops
    after the password."""
    return SignInClient()


@pytest.fixture(autouse=True)
def _media_and_mail_in_tmp(settings, tmp_path):
    # Staff personas each hash a password; the production hasher's cost adds nothing to a test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def taipei():
    return factories.county("臺北市")


@pytest.fixture
def taichung():
    return factories.county("臺中市")


@pytest.fixture
def teacher(db):
    """A verified 臺北市 teacher."""
    return factories.teacher(name="黃測試", account="t-huang", county_name="臺北市", verified=True)


@pytest.fixture
def taichung_teacher(db):
    return factories.teacher(name="林老師", account="t-lin", county_name="臺中市", verified=True)


@pytest.fixture
def new_teacher(db):
    """A teacher straight from the first SSO login, not yet through 教師驗證."""
    return factories.teacher(name="陳新進", account="t-chen", county_name="臺北市", verified=False)


@pytest.fixture
def taipei_officer(db):
    return factories.staff("taipei-officer", "county", county_name="臺北市", name="臺北市教專中心")


@pytest.fixture
def taichung_officer(db):
    return factories.staff("taichung-officer", "county", county_name="臺中市", name="臺中市教專中心")


@pytest.fixture
def school_officer(teacher, taipei_officer):
    """A 學校承辦人: a teacher of the `teacher` persona's school holding a live grant for it (a
    teacher account with a grant, not a role of its own)."""
    from proteacher.accounts import school_officers

    officer = factories.teacher(name="林承辦", account="t-school-officer", county_name="臺北市")
    school_officers.grant(taipei_officer, teacher.profile.school, "t-school-officer")
    officer.refresh_from_db()
    return officer


@pytest.fixture
def reviewer(db):
    return factories.staff("reviewer-a", "reviewer", name="王委員")


@pytest.fixture
def admin_user(db):
    return factories.staff("admin", "admin", name="工作小組")
