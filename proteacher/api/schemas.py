"""What the API answers, as the OpenAPI document describes it. Times are ISO 8601 in Asia/Taipei
(+08:00), dates ISO; states, actions and types carry their code and their Chinese label."""

import datetime

from ninja import Schema


class Error(Schema):
    code: str
    message: str


class ValidationErrorBody(Error):
    errors: list[dict]


class Coded(Schema):
    code: str
    label: str


class Place(Schema):
    code: str
    name: str


class Teacher(Schema):
    name: str
    inservice_account: str | None


class CaseSummary(Schema):
    id: int
    academic_year: int
    certification_type: Coded
    state: Coded
    county: Place | None
    school: Place | None
    teacher: Teacher
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CasePage(Schema):
    items: list[CaseSummary]
    next_cursor: str | None


class Event(Schema):
    at: datetime.datetime
    from_state: Coded | None
    to_state: Coded
    action: Coded
    reason: str
    actor: str


class CaseDetail(CaseSummary):
    history: list[Event]


class Certificate(Schema):
    id: int
    number: str
    certification_type: Coded
    academic_year: int
    issued_at: datetime.datetime | None
    source: Coded
    county: Place | None
    teacher: Teacher
    case_id: int | None
    # The last day it is valid (None: no end); a revoked certificate is no longer valid.
    expires_on: datetime.date | None
    revoked_at: datetime.datetime | None
    revocation_category: Coded | None


class CertificatePage(Schema):
    items: list[Certificate]
    next_cursor: str | None


class Measured(Schema):
    """One row of a breakdown: what it counts (key, label) and the year's measures."""

    key: int | str | None
    label: str
    applications: int
    sent: int
    passed: int
    failed: int
    appealed: int
    issued: int


class Totals(Schema):
    applications: int
    sent: int
    passed: int
    failed: int
    appealed: int
    issued: int


class StateCount(Schema):
    key: str
    label: str
    count: int


class RoundRate(Schema):
    key: str
    label: str
    decided: int
    passed: int
    rate: float | None


class Turnaround(Schema):
    key: str
    label: str
    count: int
    median: float | None
    p90: float | None


class ReviewerLoad(Schema):
    key: int
    label: str
    open: int
    submitted: int
    overdue: int


class VerificationCount(Schema):
    key: str
    label: str
    by_code: int
    by_number: int
    total: int


class Measure(Schema):
    key: str
    label: str


class Statistics(Schema):
    totals: Totals
    by_type: list[Measured]
    by_year: list[Measured]
    by_county: list[Measured]
    by_school: list[Measured]
    by_state: list[StateCount]
    rounds: list[RoundRate]
    turnaround: list[Turnaround]
    reviewers: list[ReviewerLoad]
    review_due_days: int
    verifications: list[VerificationCount]
    percentile_note: str
    measures: list[Measure]


class ImportAccepted(Schema):
    id: int
    state: str
    state_label: str
    status_url: str


class RowError(Schema):
    line: int | None
    reason: str


class ImportStatus(Schema):
    id: int
    kind: str
    kind_label: str
    state: str
    state_label: str
    finished: bool
    file_name: str
    size: int
    sha256: str
    by: str
    rows_total: int | None
    rows_done: int
    created: int
    updated: int
    unchanged: int
    errors: list[RowError]
    errors_total: int
    message: str
    created_at: datetime.datetime
    checked_at: datetime.datetime | None
    confirmed_at: datetime.datetime | None
    finished_at: datetime.datetime | None
