"""The back office's records: formal reviews, reviewers, assignments with their 審查標準表, appeals."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from proteacher.certification import workflow

# The rounds of review (初審, 複審, 申復), as the workflow table declares them.
ReviewRound = models.TextChoices(
    "ReviewRound", [(code.upper(), (code, label)) for code, label in workflow.ROUNDS.items()]
)


class Reviewer(models.Model):
    """What assignment needs to know about a 委員: where they work (they never review their own school)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer")
    school = models.ForeignKey(
        "registry.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="服務學校"
    )
    is_active = models.BooleanField("可分發", default=True)
    # 可審類別: the types whose cases the 委員 is given; none listed means any type.
    certification_types = models.ManyToManyField(
        "certification.CertificationType", blank=True, related_name="+", verbose_name="可審類別"
    )

    class Meta:
        verbose_name = verbose_name_plural = "審查委員"

    def __str__(self) -> str:
        return str(self.user)


class FormalReview(models.Model):
    """One 形式審查表 as the officer submitted it with 通過 or 退件; the teacher sees it read-only."""

    case = models.ForeignKey("certification.Case", on_delete=models.CASCADE, related_name="formal_reviews")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    passed = models.BooleanField()
    # {slot_code: {"ok": bool, "reason": str}} for every slot of the type.
    slots = models.JSONField(default=dict)
    reason = models.TextField("原因訊息", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} {'通過' if self.passed else '退件'}"


class Assignment(models.Model):
    """A 委員 assigned to a case for one round, and the 審查標準表 they hand in."""

    case = models.ForeignKey("certification.Case", on_delete=models.CASCADE, related_name="assignments")
    round = models.CharField("審查階段", max_length=10, choices=ReviewRound.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    # 委員審查期限: from the case's period when assigned (certification.deadlines); None: no date.
    due_at = models.DateTimeField("審查期限", null=True, blank=True)
    # The 審查標準表: an online template of documents.definitions, answered like any other form.
    template_code = models.CharField(max_length=60, blank=True)
    template_version = models.PositiveSmallIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    recommendation = models.CharField("建議結果", max_length=20, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["case", "round", "assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round", "reviewer"], name="one_assignment_per_reviewer_round")
        ]
        indexes = [models.Index(fields=["reviewer", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_round_display()} {self.reviewer}"


class AppealQuerySet(models.QuerySet):
    def filed(self):
        return self.filter(filed_at__isnull=False)

    def drafts(self):
        return self.filter(filed_at__isnull=True)


class Appeal(models.Model):
    """A teacher's 認證審查結果申復表 and the office's 受理 / 未受理.

    The teacher fills it as the 申覆文件 of a failed case and saves it as a draft (儲存); 申復 on
    流程進度 files it (filed_at). The office reads filed appeals only.
    """

    case = models.ForeignKey("certification.Case", on_delete=models.CASCADE, related_name="appeals")
    # Which result is appealed: 初審 or 複審 (set when filed).
    round = models.CharField(max_length=10, choices=ReviewRound.choices, blank=True)
    # None while a draft; the moment 申復 was pressed once filed.
    filed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # Bumped by each 儲存: a second tab or a double click is refused instead of overwriting.
    revision = models.PositiveIntegerField(default=0)
    # Every required answer given (申復 needs it).
    is_complete = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to="appeals/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    # SHA-256 (hex) of the stored file's bytes; blank for files stored before uploads were rewritten.
    file_sha256 = models.CharField(max_length=64, blank=True)
    accepted = models.BooleanField(null=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(filed_at__isnull=True), name="one_appeal_draft")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} 申復 {self.get_round_display()}"


class ImportRun(models.Model):
    """One file 管理者 (or a county system) handed in for loading, from upload to 已匯入.

    The worker checks it (a dry run), 管理者 confirms, the worker loads it all or nothing
    (review.imports). The file is kept as it was uploaded.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", "檢查中"
        READY = "ready", "待確認"
        REFUSED = "refused", "有錯誤"
        LOADING = "loading", "匯入中"
        DONE = "done", "已匯入"
        FAILED = "failed", "失敗"

    kind = models.CharField("資料類別", max_length=20)
    status = models.CharField("狀態", max_length=10, choices=Status.choices, default=Status.CHECKING)
    file = models.FileField(upload_to="imports/%Y/%m/")
    file_name = models.CharField("檔案名稱", max_length=200)
    size = models.PositiveBigIntegerField("檔案大小", default=0)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who handed the file in as the history shows it: a person's name, or an API client's name.
    by = models.CharField("匯入者", max_length=100)
    # Load without waiting for 確認匯入 when the check finds nothing wrong (county systems' uploads).
    load_when_clean = models.BooleanField(default=False)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未變更", default=0)
    # [{"line": int | None, "reason": str}], the first ERRORS_KEPT; errors_total counts them all.
    errors = models.JSONField(default=list, blank=True)
    errors_total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField("上傳時間", default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker's claim: a claim whose lease has passed belongs to a worker that died.
    claim = models.CharField(max_length=32, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    # Claims of the current step (check or load): a file that kills its worker every time stops.
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "leased_until"])]
        verbose_name = verbose_name_plural = "資料匯入"

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"


class IssuingBatch(models.Model):
    """One 核定可產證 or 發證 of the cases 管理者 chose, run by the worker (review.issuing).

    The items are the chosen cases in the order numbers are handed out in, each with the revision
    the page showed. The worker claims the batch (claimed_by, lease_until), moves its pending items
    one by one and keeps done / refused up to date; a batch whose worker died is taken over once
    its lease has passed.
    """

    class Action(models.TextChoices):
        APPROVE = "approve", "核定可產證"
        ISSUE = "issue", "發證"

    class Status(models.TextChoices):
        QUEUED = "queued", "排隊中"
        RUNNING = "running", "處理中"
        DONE = "done", "已完成"

    action = models.CharField("作業", max_length=10, choices=Action.choices)
    status = models.CharField("狀態", max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("建立時間", default=timezone.now)
    # The confirmation page's token: the same page posted twice finds its batch instead of a second one.
    token = models.CharField(max_length=64, unique=True)
    total = models.PositiveIntegerField("件數", default=0)
    done = models.PositiveIntegerField("已處理", default=0)
    refused = models.PositiveIntegerField("未處理", default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker's claim; a claim whose lease has passed belongs to a worker that died.
    claimed_by = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "lease_until"])]
        verbose_name = verbose_name_plural = "發證批次"

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.pk}"


class IssuingBatchItem(models.Model):
    """A case of a batch: pending until the worker moved it (done) or the workflow refused it."""

    class Outcome(models.TextChoices):
        PENDING = "", "待處理"
        DONE = "done", "已處理"
        REFUSED = "refused", "未處理"

    batch = models.ForeignKey(IssuingBatch, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("certification.Case", on_delete=models.PROTECT, related_name="+")
    # The revision the page showed (None: not checked).
    shown_revision = models.IntegerField(null=True, blank=True)
    position = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default=Outcome.PENDING)
    message = models.CharField(max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "position"]
        constraints = [models.UniqueConstraint(fields=["batch", "position"], name="one_item_per_batch_position")]
        indexes = [models.Index(fields=["batch", "outcome", "position"])]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.position} {self.case_id}"
