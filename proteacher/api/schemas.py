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


class CertificatePage(Schema):
    items: list[Certificate]
    next_cursor: str | None
