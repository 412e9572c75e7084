import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from proteacher.certification.slot_cache import new_token


def new_verify_code() -> str:
    """The code of a certificate's verification page (/verify/<code>/): random, not the serial."""
    return secrets.token_urlsafe(16)


class Certificate(models.Model):
    """A certificate a teacher holds (個人資訊 認證證號): imported from the old system or issued here."""

    class RevocationCategory(models.TextChoices):
        FALSE_DATA = "false_data", "資料不實"
        DUPLICATE = "duplicate", "重複核發"
        ADMINISTRATIVE = "administrative", "行政錯誤"
        OTHER = "other", "其他"

    class Source(models.TextChoices):
        OLD_SYSTEM = "old_system", "舊系統匯入"
        ISSUED = "issued", "本平臺核發"
        BACKFILLED = "backfilled", "補登"

    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    certification_type = models.ForeignKey(
        "CertificationType", on_delete=models.PROTECT, related_name="certificates", verbose_name="類別"
    )
    academic_year = models.PositiveSmallIntegerField("學年度")
    number = models.CharField("證號", max_length=40, blank=True)
    issued_at = models.DateTimeField("發證時間", null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    # For certificates issued here: the case, and where the number came from.
    case = models.OneToOneField("Case", on_delete=models.PROTECT, null=True, blank=True, related_name="certificate")
    county = models.ForeignKey("registry.County", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    serial = models.PositiveIntegerField(null=True, blank=True)
    # The public verification page's code (certification.verification), never the number.
    verify_code = models.CharField(max_length=32, unique=True, default=new_verify_code, editable=False)
    # The certificate's PDF (certification.certificate_pdf), made once and kept with its SHA-256.
    pdf = models.FileField(upload_to="certificates/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # 撤銷證書 (the workflow's "revoke"; "restore" clears them).
    revoked_at = models.DateTimeField("撤銷時間", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_category = models.CharField(
        "撤銷原因類別", max_length=20, choices=RevocationCategory.choices, blank=True
    )
    revocation_reason = models.TextField("撤銷原因", blank=True)
    # The last day the certificate is valid, for types with a validity; None: no end. Indexed for
    # the expiry reminders (certification.expiry), which read the certificates ending soon.
    expires_on = models.DateField("有效期限", null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["academic_year", "id"]
        verbose_name = verbose_name_plural = "認證證號"
        constraints = [
            # Issued numbers are unique and never reused (old-system numbers may repeat as imported).
            models.UniqueConstraint(
                fields=["certification_type", "county", "academic_year", "serial"],
                condition=models.Q(serial__isnull=False),
                name="issued_serial_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.certification_type.short_name} {self.academic_year} {self.number}"

    @property
    def is_expired(self) -> bool:
        """Past its last valid day (today in Asia/Taipei); a certificate without an end never is."""
        return self.expires_on is not None and timezone.localdate() > self.expires_on


class ExpiryReminder(models.Model):
    """An expiry reminder sent for a certificate (certification.expiry): one row per certificate
    and offset, written in the transaction of its 訊息通知, so a reminder exists exactly once."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="expiry_reminders")
    # How many months before expires_on it was due (one of settings.CERTIFICATE_EXPIRY_REMINDERS).
    months_before = models.PositiveSmallIntegerField("到期前月數")
    sent_at = models.DateTimeField("寄送時間")
    notification = models.ForeignKey(
        "notifications.Notification", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["certificate", "-months_before"]
        verbose_name = verbose_name_plural = "證書到期提醒"
        constraints = [
            models.UniqueConstraint(fields=["certificate", "months_before"], name="one_expiry_reminder_per_offset")
        ]

    def __str__(self) -> str:
        return f"{self.certificate} -{self.months_before}m"


class CertificationType(models.Model):
    """初階 / 進階 / 教學輔導教師, and any type 管理者 adds under 認證設定: every name, the certificate
    letter, the reviewers' form, the slots and the rules are rows, not code."""

    # In the type's addresses (/certification/<code>/) and in rules that name it; never changes.
    code = models.SlugField("代碼", max_length=20, unique=True)
    name = models.CharField("認證名稱", max_length=50)
    short_name = models.CharField("簡稱", max_length=20)
    # The letter after 證號第 in certificate numbers: A 初階, B 進階; one type each.
    certificate_letter = models.CharField("證號字母", max_length=1, unique=True)
    training_name = models.CharField("培訓名稱", max_length=50)
    # The 審查標準表 the 委員 fill for this type (a reviewers' template of documents.definitions).
    review_template_code = models.CharField("審查標準表", max_length=60, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_open = models.BooleanField("開放申請", default=True)
    # How long a certificate of the type is valid (教學輔導教師: 10 years); None: no end.
    # Certificates issued here get their expires_on from it (certificates.valid_through).
    validity_years = models.PositiveSmallIntegerField(
        "有效年限",
        null=True,
        blank=True,
        help_text="證書自發證日起有效的年數（教學輔導教師證書為10年）；空白表示證書無有效期限。",
    )
    # A renewal (換證) type: its cases renew a certificate of this type and, at 發證, give a new
    # certificate of it (its letter, numbers and 有效年限); it is applied for by its routes only.
    renews = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal_types",
        verbose_name="換證之認證類別",
    )
    # Replaced whenever one of the type's slots changes: the key of the slots kept per process.
    slots_token = models.CharField(max_length=32, default=new_token, editable=False)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = verbose_name_plural = "認證類別"

    def __str__(self) -> str:
        return self.name

    @property
    def certificate_type(self) -> "CertificationType":
        """The type of the certificates its cases get: the renewed type for a renewal type."""
        return self.renews if self.renews_id else self

    @property
    def standard_form_name(self) -> str:
        """進階審查標準表 for 進階認證: the reviewers' form as SPEC §5.2 names it for the type."""
        return f"{self.short_name.removesuffix('認證')}審查標準表"


class FilledBy(models.TextChoices):
    TEACHER = "teacher", "教師"
    SCHOOL = "school", "學校"


class FormSlot(models.Model):
    """One line of 編輯表單列表: a slot the teacher fills with one of the allowed templates."""

    certification_type = models.ForeignKey(CertificationType, on_delete=models.CASCADE, related_name="slots")
    code = models.SlugField("代碼", max_length=40)
    label = models.CharField("表單項目", max_length=50)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    # Template codes (documents.definitions) in the order the drop-down lists them.
    template_codes = models.JSONField("可選表件", default=list)
    # Who fills it: the teacher, or the teacher's school (the 推薦表 of 教學輔導教師 and its
    # renewal: a 學校承辦人 fills it online, the teacher reads it and cannot change it).
    filled_by = models.CharField("填寫者", max_length=10, choices=FilledBy.choices, default=FilledBy.TEACHER)

    class Meta:
        ordering = ["certification_type", "sort_order", "id"]
        verbose_name = verbose_name_plural = "表單項目"
        constraints = [models.UniqueConstraint(fields=["certification_type", "code"], name="slot_code_per_type")]

    def __str__(self) -> str:
        return self.label

    @property
    def is_filled_by_school(self) -> bool:
        return self.filled_by == FilledBy.SCHOOL


class ApplicationRoute(models.Model):
    """One way to apply for a type (申請方式), e.g. 教學輔導教師認證 第一種申請方式: a card of its own
    in 認證專區, what it is for, and which of the type's 資格規則 it checks."""

    certification_type = models.ForeignKey(CertificationType, on_delete=models.CASCADE, related_name="routes")
    code = models.SlugField("代碼", max_length=20)
    name = models.CharField("申請方式", max_length=50)
    description = models.TextField("說明", blank=True)
    # The codes of the type's rules (RuleSet.rules) this route checks; empty: every rule in force.
    rule_codes = models.JSONField("資格規則", default=list, blank=True)
    # The codes of the type's slots a case applied by this route fills (換證's two routes ask for
    # different proofs); empty: every slot. A case keeps the list it was opened with.
    slot_codes = models.JSONField("表單項目", default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["certification_type", "sort_order", "id"]
        verbose_name = verbose_name_plural = "申請方式"
        constraints = [models.UniqueConstraint(fields=["certification_type", "code"], name="route_code_per_type")]

    def __str__(self) -> str:
        return f"{self.certification_type} {self.name}"


class RuleSet(models.Model):
    """The eligibility rules of a type from an academic year on, optionally for one county.

    Rows are never edited: a change is saved as a new version, so an evaluation stored with a
    case always names the exact rules it used.
    """

    certification_type = models.ForeignKey(CertificationType, on_delete=models.CASCADE, related_name="rule_sets")
    county = models.ForeignKey(
        "registry.County", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="縣市"
    )
    from_academic_year = models.PositiveSmallIntegerField("適用起始學年度")
    version = models.PositiveIntegerField("版本")
    # [{"code", "item" (項目), "condition" (條件), "check", "params"}] — see certification.rules.
    rules = models.JSONField("規則")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["certification_type", "-from_academic_year", "-version"]
        verbose_name = verbose_name_plural = "資格規則"
        constraints = [models.UniqueConstraint(fields=["certification_type", "version"], name="rule_set_version")]

    def __str__(self) -> str:
        return f"{self.certification_type} {self.from_academic_year} v{self.version}"


class Case(models.Model):
    """One teacher's application for one type in one academic year (流程進度)."""

    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases")
    certification_type = models.ForeignKey(CertificationType, on_delete=models.PROTECT, related_name="cases")
    academic_year = models.PositiveSmallIntegerField("學年度")
    # Only certification.workflow.transition() writes this (the states are workflow.STATES).
    state = models.CharField("狀態", max_length=30)
    # Where the teacher worked when applying: the county's centre reviews the case.
    school = models.ForeignKey("registry.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    county = models.ForeignKey("registry.County", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The eligibility evaluation that allowed the case: inputs, rule set and version, results.
    eligibility = models.JSONField(default=dict)
    created_at = models.DateTimeField("建立時間", auto_now_add=True)
    # 最後更新時間: set by every transition and every saved form.
    updated_at = models.DateTimeField("最後更新時間")
    # Bumped by each transition; a page posts the value it showed so a stale page is refused.
    revision = models.PositiveIntegerField(default=0)
    # While the case is 初審未通過 / 複審未通過: the last moment 申復 may be pressed. Set by the
    # failing decision, read by the task that closes expired windows (hence stored and indexed).
    appeal_deadline = models.DateTimeField("申復期限", null=True, blank=True, db_index=True)
    # While the teacher must send revised forms (初審修正資料 / 申復修正資料): the last moment to
    # send them. Set by the deciding row's effect from the case's period (certification.deadlines),
    # moved by an extension, cleared when the case leaves; the job that moves expired cases on and
    # the reminders read it (hence stored and indexed). The teacher is the one who acts by it.
    action_deadline = models.DateTimeField("修正期限", null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-academic_year", "-created_at"]
        verbose_name = verbose_name_plural = "認證申請"
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "certification_type", "academic_year"], name="one_case_per_teacher_type_year"
            )
        ]
        indexes = [
            # The office queues: a state's cases, newest change first, in one county or nationwide.
            # Without them PostgreSQL sorts every case of a state to show a page of 50.
            models.Index(fields=["county", "state", "updated_at", "id"]),
            models.Index(fields=["state", "updated_at", "id"]),
            models.Index(fields=["state", "certification_type", "academic_year"]),
            # The 全部 tab: every state's cases, newest change first.
            models.Index(fields=["county", "updated_at", "id"]),
            models.Index(fields=["updated_at", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.academic_year} {self.certification_type.short_name} {self.teacher}"


class StateCount(models.Model):
    """How many cases are in one state, for one county, type and academic year.

    The office's 認證審查 tabs and 學年度 choices sum these few rows instead of grouping every case
    on each request. Kept by the workflow in the transaction of each change (state_counts.py);
    `manage.py recount_states` rebuilds it from the cases.
    """

    # The case's county id, 0 for a case without a county (a NULL would not be unique).
    county_key = models.PositiveIntegerField()
    certification_type = models.ForeignKey(CertificationType, on_delete=models.CASCADE, related_name="+")
    academic_year = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=30)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["county_key", "certification_type", "academic_year", "state"], name="one_count_per_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.county_key} {self.certification_type_id} {self.academic_year} {self.state}: {self.count}"


class FrozenError(Exception):
    """A case's history and a submitted round are evidence: their rows are written once and never
    changed or deleted."""


def case_actions() -> list[tuple[str, str]]:
    """CaseEvent.action's choices: every action of the workflow table, with its label. (A callable,
    read when needed: the table names functions that use these models.)"""
    from proteacher.certification.workflow import ACTION_CHOICES

    return ACTION_CHOICES


class CaseEvent(models.Model):
    """An immutable record of one change to a case: who, when, from, to and why.

    Written once by the workflow and never changed or deleted: save() of a stored event and
    delete() refuse, and on PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE to any role
    but a superuser (migration 0013). Its audit entry is written beside it (workflow.engine).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=40, choices=case_actions)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30)
    reason = models.TextField(blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # 統計: each case's first 送出, 形式審查, result and 發證 (turnaround), read by action or by
            # the state reached, without visiting the event rows.
            models.Index(fields=["action", "case", "at"]),
            models.Index(fields=["to_state", "case", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenError(f"case event {self.pk} is part of the case's history and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError(f"case event {self.pk} is part of the case's history and cannot be deleted")


class SlotAnswerQuerySet(models.QuerySet):
    def in_use(self):
        """The answers the slots use now (one per slot at most): what the case page lists and
        送出審查文件 sends. The others are answers set aside when the teacher chose another template."""
        return self.filter(in_use=True)


class SlotAnswer(models.Model):
    """What a teacher put in one slot with one template: an online form's answers or an uploaded PDF.

    A slot keeps one answer per template it was filled with; the one saved last is `in_use`.
    Choosing another template never deletes the old answer: it stays, set aside, until the
    teacher switches back to it or discards it.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="answers")
    slot_code = models.SlugField(max_length=40)
    template_code = models.CharField(max_length=60)
    template_version = models.PositiveSmallIntegerField()
    data = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to="answers/%Y/%m/", blank=True)
    file_name = models.CharField("文件名稱", max_length=200, blank=True)
    # SHA-256 (hex) of the stored file's bytes; blank for files stored before uploads were rewritten.
    file_sha256 = models.CharField(max_length=64, blank=True)
    # All required fields answered (online) or a file present (upload).
    is_complete = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on each save; the form posts the value it showed so a stale tab cannot overwrite.
    revision = models.PositiveIntegerField(default=0)
    # The slot's current answer; False for an answer set aside by choosing another template.
    in_use = models.BooleanField(default=True)

    objects = SlotAnswerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "slot_code", "template_code"], name="one_answer_per_template"),
            models.UniqueConstraint(
                fields=["case", "slot_code"], condition=models.Q(in_use=True), name="one_answer_in_use_per_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.slot_code} {self.template_code}"


class CertificateSerial(models.Model):
    """The last serial handed out per county, type and academic year; locked while numbering."""

    county = models.ForeignKey("registry.County", on_delete=models.PROTECT, related_name="+")
    certification_type = models.ForeignKey(CertificationType, on_delete=models.PROTECT, related_name="+")
    academic_year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["county", "certification_type", "academic_year"], name="one_serial_counter")
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.certification_type_id} {self.academic_year}: {self.last_serial}"


class TrainingCertificate(models.Model):
    """數位研習證明: granted with the certificate, shown in 個人資訊."""

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_certificates"
    )
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="training_certificate")
    title = models.CharField("研習名稱", max_length=100)
    issued_at = models.DateTimeField("核發時間")

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.title


class Frozen(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenError(f"{type(self).__name__} {self.pk} was sent for review and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError(f"{type(self).__name__} {self.pk} was sent for review and cannot be deleted")


class Submission(Frozen):
    """What the teacher sent with 送出審查文件, 送出複審資料 or 申復重新送審: every answer and file of
    the case as it was at that moment, frozen as that round's submission (certification.submissions)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="submissions")
    # 1, 2, … in the order the case was sent (a 退件 case sent again is a new submission).
    number = models.PositiveSmallIntegerField("送審次序")
    action = models.CharField(max_length=40)
    # The review round it is for: 初審 (with its 形式審查), 複審 or 申復.
    round = models.CharField("審查階段", max_length=10)
    at = models.DateTimeField("送出時間")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="one_submission_number_per_case")]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.number} {self.round}"


class SubmittedAnswer(Frozen):
    """One slot of a Submission: the template, the answers and the file, with their SHA-256."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="answers")
    slot_code = models.SlugField(max_length=40)
    slot_label = models.CharField("表單項目", max_length=50)
    sort_order = models.PositiveSmallIntegerField(default=0)
    template_code = models.CharField(max_length=60)
    template_version = models.PositiveSmallIntegerField()
    data = models.JSONField(default=dict, blank=True)
    # SHA-256 of the answers as canonical JSON (sorted keys, UTF-8): the same answers, the same sum.
    data_sha256 = models.CharField(max_length=64)
    # The stored file the answer named when sent; kept while any submission names it.
    file = models.FileField(upload_to="answers/%Y/%m/", blank=True)
    file_name = models.CharField("文件名稱", max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    is_complete = models.BooleanField(default=False)

    class Meta:
        ordering = ["submission", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "slot_code"], name="one_submitted_answer_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.slot_code}"


class SlotDraft(models.Model):
    """What a teacher typed into an online form and has not saved (自動儲存): one per case, slot
    and template, replaced as the teacher types, deleted by the 儲存 that keeps it.

    `base_revision` is the answer revision the page was opened with: a draft whose base is older
    than the saved answer (another tab saved since) is offered, never applied by itself.
    Only certification.drafts writes these rows.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="drafts")
    slot_code = models.SlugField(max_length=40)
    template_code = models.CharField(max_length=60)
    template_version = models.PositiveSmallIntegerField()
    data = models.JSONField(default=dict, blank=True)
    base_revision = models.IntegerField(default=0)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "slot_code", "template_code"], name="one_draft_per_slot_template")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.slot_code} {self.template_code} (draft)"


class VerificationLookup(models.Model):
    """One answer of the public verification page, counted for 統計 and for its rate limit.

    No address is kept: `client_key` is a keyed hash of it (verification.client_key), enough to
    count one client's lookups within the limit's window, and blanked once that window has passed."""

    class Outcome(models.TextChoices):
        VALID = "valid", "有效"
        REVOKED = "revoked", "已撤銷"
        EXPIRED = "expired", "已過期"
        UNKNOWN = "unknown", "查無此證書"
        INVALID = "invalid", "輸入有誤"
        LIMITED = "limited", "查詢過於頻繁"

    at = models.DateTimeField(default=timezone.now)
    certificate = models.ForeignKey(Certificate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    by_number = models.BooleanField(default=False)  # the 證號 and name form, not a QR code's link
    client_key = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "證書查驗紀錄"
        indexes = [models.Index(fields=["client_key", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"


class CertificationPeriod(models.Model):
    """期程: when a type's 申請 opens and closes in an academic year, and how long the teacher (修正期限)
    and the 委員 (審查期限) have, nationally (county NULL) or for one county.

    A county row overrides the national one field by field: a field the county leaves blank is the
    national default's, so a county that only moves its closing date sets that one field. Where
    neither sets a field, the platform behaves as before periods existed (申請 open, no revision
    deadline, the 10-day 申復 window). certification.deadlines resolves the fields that apply.
    """

    certification_type = models.ForeignKey(CertificationType, on_delete=models.CASCADE, related_name="periods")
    academic_year = models.PositiveSmallIntegerField("學年度")
    county = models.ForeignKey(
        "registry.County", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="縣市"
    )
    apply_opens_at = models.DateTimeField("申請開始", null=True, blank=True)
    # Also the last moment to 送出審查文件.
    apply_closes_at = models.DateTimeField("申請截止", null=True, blank=True)
    # 修正期限 after 修正後複審: days after the decision, or a fixed moment (the moment wins).
    revision_days = models.PositiveSmallIntegerField("修正期限（天數）", null=True, blank=True)
    revision_due_at = models.DateTimeField("修正期限（日期）", null=True, blank=True)
    # The same after 申復 受理 (申復修正資料).
    appeal_revision_days = models.PositiveSmallIntegerField("申復修正期限（天數）", null=True, blank=True)
    appeal_revision_due_at = models.DateTimeField("申復修正期限（日期）", null=True, blank=True)
    # 委員審查期限 of every round: days after 分發, or a fixed moment.
    review_days = models.PositiveSmallIntegerField("委員審查期限（天數）", null=True, blank=True)
    review_due_at = models.DateTimeField("委員審查期限（日期）", null=True, blank=True)
    # The 申復 window after a failing decision (blank: 10 days).
    appeal_window_days = models.PositiveSmallIntegerField("申復期限（天數）", null=True, blank=True)
    updated_at = models.DateTimeField("最後更新時間", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["certification_type", "-academic_year", "county"]
        verbose_name = verbose_name_plural = "期程"
        constraints = [
            models.UniqueConstraint(
                fields=["certification_type", "academic_year", "county"], name="one_period_per_type_year_county"
            ),
            # NULLs are distinct in a unique index: the national row needs its own.
            models.UniqueConstraint(
                fields=["certification_type", "academic_year"],
                condition=models.Q(county__isnull=True),
                name="one_national_period_per_type_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certification_type} {self.academic_year} {self.county or '全國'}"


class DeadlineReminder(models.Model):
    """A reminder sent before a deadline (certification.reminders): one row per case, person,
    kind, deadline and offset, written in the transaction of its 訊息通知, so a reminder goes out
    exactly once. The deadline is part of the key: an extension gets reminders of its own."""

    class Kind(models.TextChoices):
        APPLY = "apply", "申請截止"
        REVISION = "revision", "修正期限"
        REVIEW = "review", "委員審查期限"
        SCHOOL = "school", "學校推薦表期限"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadline_reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("期限", max_length=10, choices=Kind.choices)
    deadline = models.DateTimeField("期限")
    # Days before the deadline it was due; 0 for the one sent once the deadline passed (逾期).
    days_before = models.SmallIntegerField("期限前天數")
    sent_at = models.DateTimeField("寄送時間")
    notification = models.ForeignKey(
        "notifications.Notification", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["case", "-sent_at"]
        verbose_name = verbose_name_plural = "期限提醒"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "recipient", "kind", "deadline", "days_before"], name="one_deadline_reminder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} -{self.days_before}d"
