from django.urls import path
from django.views.generic import RedirectView

from proteacher.accounts.views import (
    login,
    profile,
    school_officers,
    second_factor,
    session,
    sso,
    staff,
    staff_second_factor,
    verification,
)

app_name = "accounts"
urlpatterns = [
    # 使用者登入 and staff passwords
    path("login/", login.login_page, name="login"),
    path("logout/", login.logout_view, name="logout"),
    # 雙因素驗證: the second step, the first enrolment, recovery codes, one's own factors
    path("login/second-factor/", second_factor.step, name="second_factor"),
    path("login/second-factor/enrol/", second_factor.enrol, name="second_factor_enrol"),
    path("second-factor/recovery-codes/", second_factor.recovery_codes, name="second_factor_codes"),
    path(
        "second-factor/recovery-codes/download/",
        second_factor.recovery_codes_download,
        name="second_factor_codes_download",
    ),
    path("second-factor/", second_factor.manage, name="second_factor_manage"),
    path("second-factor/recovery-codes/new/", second_factor.renew_recovery_codes, name="second_factor_renew_codes"),
    # 繼續使用 of the idle-session warning
    path("session/keep-alive/", session.keep_alive, name="keep_alive"),
    path("password/reset/", login.PasswordReset.as_view(), name="password_reset"),
    path("password/reset/sent/", login.PasswordResetDone.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", login.PasswordResetConfirm.as_view(), name="password_reset_confirm"),
    path("password/reset/complete/", login.PasswordResetComplete.as_view(), name="password_reset_complete"),
    # SSO roaming login
    path("sso/login/", sso.start, name="sso_start"),
    path("sso/callback/", sso.callback, name="sso_callback"),
    path("sso/dev/", sso.dev_identity, name="dev_identity"),
    # 教師驗證
    path("verify/", verification.fill_in, name="verify"),
    path("verify/email/", verification.email_code, name="verify_email"),
    path("verify/email/resend/", verification.resend_code, name="verify_resend"),
    # Step 2 資料轉移 is certification's (the certificates held); an old address still leads there.
    path("verify/transfer/", RedirectView.as_view(pattern_name="certification:transfer")),
    # 個人資訊
    path("profile/", profile.basic, name="profile"),
    path("profile/email/", profile.email_code, name="profile_email"),
    path("profile/certificates/", RedirectView.as_view(pattern_name="certification:held")),
    path("profile/training/", profile.training, name="profile_training"),
    # 功能專區: accounts and teachers
    path("staff/", staff.staff_list, name="staff_list"),
    path("staff/new/", staff.staff_create, name="staff_create"),
    path("staff/second-factor/reset/", staff_second_factor.reset, name="staff_second_factor_reset"),
    path("teachers/", staff.teacher_list, name="teacher_list"),
    # 學校承辦人: granted to a school's teacher by its county (or 管理者)
    path("school-officers/", school_officers.school_officer_list, name="school_officers"),
]
