from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    TEACHER = "teacher", "教師"
    REVIEWER = "reviewer", "委員"
    COUNTY = "county", "縣市"
    ADMIN = "admin", "管理者"


STAFF_ROLES = (Role.REVIEWER, Role.COUNTY, Role.ADMIN)


class User(AbstractUser):
    """Every person who signs in. Teachers come through SSO; staff sign in with a password."""

    role = models.CharField("身分", max_length=10, choices=Role.choices, default=Role.TEACHER)
    name = models.CharField("姓名", max_length=50)
    # The in-service network account (the SSO subject); the key of training and old-system records.
    inservice_account = models.CharField("全教網帳號", max_length=64, unique=True, null=True, blank=True)
    # A 縣市 account works for exactly one county; a teacher's county comes from their school.
    county = models.ForeignKey(
        "registry.County", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="縣市"
    )
    # Set when wrong passwords for this account from many addresses reach LOGIN_ACCOUNT_MAX_FAILURES
    # (accounts.login_throttle): shown as 鎖定中 in 帳號管理, lifted there or by 忘記密碼.
    locked_until = models.DateTimeField(null=True, blank=True)
    # The unread count beside 訊息通知 in every page's menu, kept by notifications.services as it
    # delivers and marks read: read with the user, it costs the page no query of its own.
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)
    # How many live 學校承辦人 grants the account holds, kept by accounts.school_officers as it
    # grants and revokes: the menu's 學校專區 link reads it with the user, no query of its own.
    live_school_grants = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = "使用者"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="county") | models.Q(county__isnull=False),
                name="county_account_has_county",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.TEACHER

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def header_name(self) -> str:
        """How the page header greets the user: 黃測試老師 for teachers, the name alone for staff."""
        return f"{self.name}老師" if self.is_teacher else (self.name or self.username)

    @property
    def is_school_officer(self) -> bool:
        """Holds a live 學校承辦人 grant (a teacher account only)."""
        return self.role == Role.TEACHER and self.live_school_grants > 0

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class LoginAttempt(models.Model):
    """One try at 縣市與管理者登入, kept for the throttle (accounts.login_throttle) and dropped by
    the worker once it is older than LOGIN_LOCK_MINUTES.

    Keyed by the account name as typed (lower-cased), not by a user row: an account that does not
    exist is throttled exactly like one that does, so the answers tell nobody which exist.
    """

    class Outcome(models.TextChoices):
        # Written before the password is checked, so parallel guesses each use up a try.
        WRONG = "wrong", "密碼錯誤"
        OK = "ok", "成功"
        # Throttled: the password was not looked at, and the try does not count.
        REFUSED = "refused", "暫停嘗試"
        # A wrong try the right password (or a lifted lock) made count no more.
        FORGIVEN = "forgiven", "已解除"

    at = models.DateTimeField(default=timezone.now)
    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.WRONG)

    class Meta:
        indexes = [
            # The three counts of one try: this account from this address, this address, this account.
            models.Index(fields=["username", "address", "at"]),
            models.Index(fields=["address", "at"]),
            # The worker's clean-up.
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.address} {self.at:%Y-%m-%d %H:%M} {self.outcome}"


class TeacherProfile(models.Model):
    """What eligibility needs to know about a teacher, from SSO and from 教師驗證."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    # As the network sent them, and as matched to master data (None when unknown: flagged for 管理者).
    school_name = models.CharField("服務學校", max_length=100, blank=True)
    school = models.ForeignKey("registry.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    county_name = models.CharField("學校所屬縣市", max_length=20, blank=True)
    title_code_value = models.CharField("職稱代碼", max_length=10, blank=True)
    title_code = models.ForeignKey(
        "registry.TitleCode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    phone = models.CharField("聯絡電話", max_length=30, blank=True)
    levels = models.JSONField("任職學等", default=list, blank=True)
    domains = models.JSONField("領域", default=list, blank=True)
    formal_since = models.DateField("取得正式教師時間", null=True, blank=True)
    teaching_years = models.PositiveSmallIntegerField("實際教學年資", default=0)

    email_verified_at = models.DateTimeField(null=True, blank=True)
    # An address typed at 教師驗證 or 個人資訊 that waits for its code; user.email changes only
    # once the code proves the teacher reads this mailbox.
    pending_email = models.EmailField("待驗證Email", blank=True)
    old_data_decision = models.CharField(
        max_length=10,
        blank=True,
        choices=[("imported", "匯入"), ("declined", "不匯入"), ("none", "無資料")],
    )
    verified_at = models.DateTimeField("完成教師驗證", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "教師資料"

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_formal_teacher(self) -> bool:
        return bool(self.title_code and self.title_code.is_formal_teacher)

    def unmatched_master_data(self) -> list[str]:
        """Which SSO data matched nothing in master data (shown to 管理者 as a flag)."""
        missing = []
        if self.school_id is None:
            missing.append(f"服務學校「{self.school_name}」")
        if self.user.county_id is None:
            missing.append(f"學校所屬縣市「{self.county_name}」")
        if self.title_code_id is None:
            missing.append(f"職稱代碼「{self.title_code_value}」")
        return missing


class EmailCode(models.Model):
    """A 6-digit code sent to prove an email address. Only a hash is kept."""

    class CloseReason(models.TextChoices):
        USED = "used", "已使用"
        REPLACED = "replaced", "已由新驗證碼取代"
        SPENT = "spent", "錯誤次數過多"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_codes")
    email = models.EmailField()
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    wrong_tries = models.PositiveSmallIntegerField(default=0)
    # Set when the code was used, replaced by a newer one, or spent by too many wrong tries.
    closed_at = models.DateTimeField(null=True, blank=True)
    # Why it was closed, so the teacher is told the right thing when typing it again.
    closed_reason = models.CharField(max_length=10, blank=True, choices=CloseReason.choices)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.email} {self.created_at:%Y-%m-%d %H:%M}"


class SchoolOfficer(models.Model):
    """A 學校承辦人: a teacher account granted, by its county's 縣市 or by 管理者, to act for one
    school (its 認證總表, the 推薦表 of its candidates). A grant, not a role: the person stays a
    teacher, signs in by SSO like any teacher and keeps their own cases.

    Rows are never deleted: a revoked grant keeps who granted and who revoked it, and when.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="school_grants", verbose_name="教師")
    school = models.ForeignKey("registry.School", on_delete=models.PROTECT, related_name="+", verbose_name="學校")
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="授權者")
    granted_at = models.DateTimeField("授權時間", default=timezone.now)
    revoked_at = models.DateTimeField("撤銷時間", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="撤銷者"
    )

    class Meta:
        ordering = ["school__code", "granted_at", "id"]
        verbose_name = verbose_name_plural = "學校承辦人"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school"], condition=models.Q(revoked_at__isnull=True), name="one_live_grant_per_school"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.user}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
