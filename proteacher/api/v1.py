"""Version 1 of the API for county and national systems: cases with their history, certificates,
statistics, and training-hour uploads, each operation under its scope; the OpenAPI 3.1 document
is at /api/v1/openapi.json.

django-ninja draws the OpenAPI document from the same pydantic schemas that check and shape each
answer, so the document cannot drift from the code. Every operation reads through the selectors
the pages use, with the token as a 縣市 of its county or as 管理者 (viewer.py): a county token
asking for another county's case gets 404, as the county's officer would. Training files go
through review.imports, the importer of 資料匯入.
"""

import base64
import datetime
import re
from typing import Literal

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, NinjaAPI, Path, Query, Schema
from ninja.errors import AuthenticationError, ValidationError
from ninja.files import UploadedFile
from ninja.security import HttpBearer
from pydantic import field_validator

from proteacher.api import schemas, tokens
from proteacher.api.models import ApiToken, Scope, TokenImport
from proteacher.api.tokens import ApiError
from proteacher.api.viewer import viewer_of
from proteacher.certification import history, workflow
from proteacher.certification import selectors as certification_selectors
from proteacher.certification.models import Certificate, CertificationType
from proteacher.errors import DomainError
from proteacher.registry.models import County
from proteacher.review import imports, statistics
from proteacher.review import selectors as review_selectors
from proteacher.text import clean_text

api = NinjaAPI(
    title="教師專業發展支持作業平臺 API",
    version="1",
    description=(
        "縣市與全國系統讀取認證案件、證書與統計，並上傳研習時數。以管理者核發的 API 權杖呼叫："
        "`Authorization: Bearer <權杖>`。時間為 ISO 8601（+08:00），日期為 ISO 格式。"
    ),
    urls_namespace="api:v1",
    docs_url=None,
    openapi_url="/openapi.json",
)

MAX_ID = 2**63 - 1
ISO_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}.*", re.DOTALL)
NOT_FOUND = ApiError(404, "not_found", "找不到這筆資料，或不在此權杖的範圍內。")
BAD_CURSOR = ApiError(400, "invalid_cursor", "cursor 參數不正確，請使用上一頁回傳的 next_cursor。")
BAD_TIME = ApiError(400, "invalid_time", "時間超出可處理的範圍。")


class BearerToken(HttpBearer):
    """The token of the call, counted against its per-minute limit, with the operation's scope."""

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def __call__(self, request):
        kind, _, raw = request.headers.get("Authorization", "").partition(" ")
        if kind.lower() != "bearer" or not raw.strip():
            raise tokens.MISSING
        return self.authenticate(request, raw.strip())

    def authenticate(self, request, token: str) -> ApiToken:
        request.api_token_prefix = tokens.prefix_of(token)
        found = tokens.authenticate(token)
        request.api_token = found
        tokens.take_call(found)
        tokens.require_scope(found, self.scope)
        return found


def _error(request, error: ApiError):
    response = api.create_response(request, {"code": error.code, "message": error.message}, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _error(request, exc)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(request, tokens.MISSING)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, NOT_FOUND)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    body = {"code": "invalid_request", "message": "請求的參數不正確。", "errors": exc.errors}
    return api.create_response(request, body, status=422)


REFUSALS = {
    401: schemas.Error,
    403: schemas.Error,
    422: schemas.ValidationErrorBody,
    429: schemas.Error,
}
ONE = REFUSALS | {404: schemas.Error}
PAGE = REFUSALS | {400: schemas.Error}

StateCode = Literal[tuple(spec.code for spec in workflow.STATES)]


# --- shaping -----------------------------------------------------------------------------------


def _moment(value: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(value) if value is not None else None


def _place(place) -> dict | None:
    return {"code": place.code, "name": place.name} if place is not None else None


def _teacher(user) -> dict:
    return {"name": user.name, "inservice_account": user.inservice_account}


def _kind(kind) -> dict:
    return {"code": kind.code, "label": kind.name}


def _state(code: str) -> dict:
    return {"code": code, "label": workflow.label(code)}


def _case(case) -> dict:
    return {
        "id": case.pk,
        "academic_year": case.academic_year,
        "certification_type": _kind(case.certification_type),
        "state": _state(case.state),
        "county": _place(case.county),
        "school": _place(case.school),
        "teacher": _teacher(case.teacher),
        "created_at": _moment(case.created_at),
        "updated_at": _moment(case.updated_at),
    }


def _event(event) -> dict:
    # As the office's case page lists it (the teacher or the officer who acted; 委員 never act).
    return {
        "at": _moment(event.at),
        "from_state": _state(event.from_state) if event.from_state else None,
        "to_state": _state(event.to_state),
        "action": {"code": event.action, "label": workflow.label_of(event.action)},
        "reason": event.reason,
        "actor": event.actor.header_name if event.actor else "系統",
    }


def _certificate(certificate: Certificate) -> dict:
    return {
        "id": certificate.pk,
        "number": certificate.number,
        "certification_type": _kind(certificate.certification_type),
        "academic_year": certificate.academic_year,
        "issued_at": _moment(certificate.issued_at),
        "source": {"code": certificate.source, "label": certificate.get_source_display()},
        "county": _place(certificate.county),
        "teacher": _teacher(certificate.teacher),
        "case_id": certificate.case_id,
        "expires_on": certificate.expires_on,
        "revoked_at": _moment(certificate.revoked_at),
        "revocation_category": (
            {"code": certificate.revocation_category, "label": certificate.get_revocation_category_display()}
            if certificate.revocation_category
            else None
        ),
    }


# --- cursors: keyset pages in a stable order ---------------------------------------------------


def _encode(*parts) -> str:
    return base64.urlsafe_b64encode("|".join(str(part) for part in parts).encode()).decode().rstrip("=")


def _decode(cursor: str, count: int) -> list[str]:
    try:
        parts = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")
    except (ValueError, UnicodeDecodeError) as error:
        raise BAD_CURSOR from error
    if len(parts) != count:
        raise BAD_CURSOR
    return parts


def _cursor_id(value: str) -> int:
    if not value.isascii() or not value.isdigit() or int(value) > MAX_ID:
        raise BAD_CURSOR
    return int(value)


def _page(rows, limit: int, item, cursor_of) -> dict:
    """One page of an ordered queryset: `limit` items drawn by `item`, and the cursor of the last
    one (`cursor_of`) when another row follows (one row more is read to know)."""
    found = list(rows[: limit + 1])
    shown = found[:limit]
    more = len(found) > limit
    return {"items": [item(row) for row in shown], "next_cursor": cursor_of(shown[-1]) if more else None}


def _aware(value: datetime.datetime, error: ApiError) -> datetime.datetime:
    """`value` as an aware time the database can hold (a time without an offset is Taipei's)."""
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(datetime.UTC)
    except (OverflowError, ValueError) as exc:
        raise error from exc


def _known_parameters(request, filters: type[Schema] | None = None) -> None:
    """Refuse a query parameter the operation does not take: a misspelt filter would otherwise
    quietly filter nothing."""
    unknown = sorted(set(request.GET) - set(filters.model_fields if filters else ()))
    if unknown:
        raise ApiError(400, "unknown_parameter", f"不認得的查詢參數：{'、'.join(unknown)[:200]}。")


# --- cases -------------------------------------------------------------------------------------


class CaseFilters(Schema):
    academic_year: int | None = Field(None, ge=1, le=999, description="學年度（民國年）")
    certification_type: str | None = Field(
        None, min_length=1, max_length=20, pattern=r"^[-A-Za-z0-9_]+$", description="認證類別代碼，如 advanced"
    )
    state: StateCode | None = Field(None, description="狀態代碼")
    updated_since: datetime.datetime | None = Field(
        None, description="只列此時間之後更新的案件（ISO 8601，如 2026-08-01T00:00:00+08:00；未帶時區時為臺北時間）"
    )
    cursor: str | None = Field(
        None, min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$", description="上一頁回傳的 next_cursor"
    )
    limit: int = Field(50, ge=1, le=200)

    @field_validator("updated_since", mode="before")
    @classmethod
    def _iso_only(cls, value):
        # pydantic would also read a bare number as seconds since 1970: only ISO 8601 is meant.
        if value is not None and not (isinstance(value, str) and ISO_MOMENT.fullmatch(value)):
            raise ValueError("請使用 ISO 8601 時間，如 2026-08-01T00:00:00+08:00。")
        return value


@api.get(
    "/cases",
    operation_id="listCases",
    response={200: schemas.CasePage} | PAGE,
    auth=BearerToken(Scope.CASES_READ),
    summary="案件列表",
    description="權杖範圍內的認證案件，依最後更新時間與編號排序；以 next_cursor 取下一頁。",
)
def list_cases(request, filters: Query[CaseFilters]):
    _known_parameters(request, CaseFilters)
    cases = review_selectors.cases_visible_to(viewer_of(request.auth))
    if filters.academic_year:
        cases = cases.filter(academic_year=filters.academic_year)
    if filters.certification_type:
        cases = cases.filter(certification_type__code=filters.certification_type)
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.updated_since:
        cases = cases.filter(updated_at__gt=_aware(filters.updated_since, BAD_TIME))
    if filters.cursor:
        moment, last_id = _decode(filters.cursor, 2)
        try:
            after = datetime.datetime.fromisoformat(moment)
        except ValueError as error:
            raise BAD_CURSOR from error
        after = _aware(after, BAD_CURSOR)
        last = _cursor_id(last_id)
        cases = cases.filter(Q(updated_at__gt=after) | Q(updated_at=after, pk__gt=last))
    return _page(
        cases.order_by("updated_at", "pk"),
        filters.limit,
        _case,
        lambda case: _encode(case.updated_at.isoformat(), case.pk),
    )


@api.get(
    "/cases/{case_id}",
    operation_id="getCase",
    response={200: schemas.CaseDetail} | ONE | {400: schemas.Error},
    auth=BearerToken(Scope.CASES_READ),
    summary="案件內容與歷程紀錄",
)
def case_detail(request, case_id: int = Path(..., ge=1, le=MAX_ID)):
    _known_parameters(request)
    case = review_selectors.case_for(viewer_of(request.auth), case_id)
    request.api_case_id = case.pk
    events = history.case_events(case, with_actors=True)
    return _case(case) | {"history": [_event(event) for event in events]}


# --- certificates ------------------------------------------------------------------------------


class CertificateFilters(Schema):
    academic_year: int | None = Field(None, ge=1, le=999, description="學年度（民國年）")
    certification_type: str | None = Field(
        None, min_length=1, max_length=20, pattern=r"^[-A-Za-z0-9_]+$", description="認證類別代碼，如 advanced"
    )
    cursor: str | None = Field(
        None, min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$", description="上一頁回傳的 next_cursor"
    )
    limit: int = Field(50, ge=1, le=200)


@api.get(
    "/certificates",
    operation_id="listCertificates",
    response={200: schemas.CertificatePage} | PAGE,
    auth=BearerToken(Scope.CERTIFICATES_READ),
    summary="證書列表",
    description="權杖範圍內的證書（縣市權杖：該縣市核發者，及該縣市教師的舊系統匯入、補登證書），依編號排序。",
)
def list_certificates(request, filters: Query[CertificateFilters]):
    _known_parameters(request, CertificateFilters)
    certificates = certification_selectors.certificates_visible_to(viewer_of(request.auth))
    if filters.academic_year:
        certificates = certificates.filter(academic_year=filters.academic_year)
    if filters.certification_type:
        certificates = certificates.filter(certification_type__code=filters.certification_type)
    if filters.cursor:
        (last_id,) = _decode(filters.cursor, 1)
        certificates = certificates.filter(pk__gt=_cursor_id(last_id))
    return _page(certificates.order_by("pk"), filters.limit, _certificate, lambda certificate: _encode(certificate.pk))


@api.get(
    "/certificates/{certificate_id}",
    operation_id="getCertificate",
    response={200: schemas.Certificate} | ONE | {400: schemas.Error},
    auth=BearerToken(Scope.CERTIFICATES_READ),
    summary="證書內容",
)
def certificate_detail(request, certificate_id: int = Path(..., ge=1, le=MAX_ID)):
    _known_parameters(request)
    viewer = viewer_of(request.auth)
    certificate = get_object_or_404(certification_selectors.certificates_visible_to(viewer), pk=certificate_id)
    return _certificate(certificate)


# --- statistics --------------------------------------------------------------------------------


class StatisticsQuery(Schema):
    academic_year: int | None = Field(None, ge=1, le=999, description="學年度（民國年）")
    certification_type: str | None = Field(
        None, min_length=1, max_length=20, pattern=r"^[-A-Za-z0-9_]+$", description="認證類別代碼，如 advanced"
    )
    county: str | None = Field(
        None,
        min_length=1,
        max_length=10,
        pattern=r"^[-A-Za-z0-9_]+$",
        description="縣市代碼（全國權杖；縣市權杖固定為其縣市）",
    )
    school: str | None = Field(None, min_length=1, max_length=100, description="學校名稱的一部分或學校代碼")


@api.get(
    "/statistics",
    operation_id="getStatistics",
    response={200: schemas.Statistics} | PAGE,
    auth=BearerToken(Scope.STATISTICS_READ),
    summary="統計",
    description="與「統計」頁相同的數字：申請、送審、通過、未通過、申復、發證，各輪通過率、處理天數與委員負荷。",
)
def get_statistics(request, query: Query[StatisticsQuery]):
    _known_parameters(request, StatisticsQuery)
    filters = statistics.StatisticsFilters(
        certification_type=_type_id(query.certification_type),
        academic_year=query.academic_year,
        county=_county_id(query.county),
        school=clean_text(query.school or "").strip(),
    )
    return statistics.figures(viewer_of(request.auth), filters).as_dict()


def _type_id(code: str | None) -> int | None:
    if not code:
        return None
    found = CertificationType.objects.filter(code=code).values_list("pk", flat=True).first()
    if found is None:
        raise ApiError(400, "unknown_certification_type", f"沒有代碼為「{code}」的認證類別。")
    return found


def _county_id(code: str | None) -> int | None:
    if not code:
        return None
    found = County.objects.filter(code=code).values_list("pk", flat=True).first()
    if found is None:
        raise ApiError(400, "unknown_county", f"沒有代碼為「{code}」的縣市。")
    return found


# --- training hours ----------------------------------------------------------------------------


def _status_url(run_id: int) -> str:
    return reverse("api:v1:get_training_import", kwargs={"run_id": run_id})


@api.post(
    "/training-imports",
    operation_id="createTrainingImport",
    response={202: schemas.ImportAccepted} | REFUSALS | {400: schemas.Error},
    auth=BearerToken(Scope.TRAINING_WRITE),
    summary="上傳研習時數",
    # The one field, never empty (an empty part is no file at all to Django), and nothing beside it.
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {"additionalProperties": False, "properties": {"file": {"minLength": 1}}}
                }
            }
        }
    },
    description=(
        "研習時數檔（CSV 或 Excel .xlsx，欄位：全教網帳號、課程名稱、類別、時數、研習日期），與管理者「資料匯入」相同的"
        "檢查；全部正確時自動匯入，有任何一列錯誤則整份不匯入。以 status_url 查詢進度與結果。"
    ),
)
def create_training_import(request, file: File[UploadedFile]):
    _known_parameters(request)
    if request.POST or set(request.FILES) - {"file"}:
        raise ApiError(400, "unknown_parameter", "只接受一個欄位：file（研習時數檔）。")
    token = request.auth
    try:
        run = imports.submit("training", file, actor=None, by=f"API {token.name}", load_when_clean=True)
    except DomainError as refused:
        raise ApiError(400, "invalid_file", refused.message) from refused
    TokenImport.objects.create(token=token, run=run)
    body = {
        "id": run.pk,
        "state": run.status,
        "state_label": run.get_status_display(),
        "status_url": _status_url(run.pk),
    }
    return 202, body


@api.get(
    "/training-imports/{run_id}",
    operation_id="getTrainingImport",
    response={200: schemas.ImportStatus} | ONE | {400: schemas.Error},
    auth=BearerToken(Scope.TRAINING_WRITE),
    summary="研習時數上傳的進度與結果",
    description="只能查詢同一權杖上傳的檔案。errors 列出錯誤的列與原因（最多 1000 筆，errors_total 為總數）。",
)
def get_training_import(request, run_id: int = Path(..., ge=1, le=MAX_ID)):
    _known_parameters(request)
    link = get_object_or_404(TokenImport.objects.select_related("run"), run_id=run_id, token=request.auth)
    run = link.run
    moments = {
        name: _moment(getattr(run, name)) for name in ("created_at", "checked_at", "confirmed_at", "finished_at")
    }
    return imports.status(run) | moments
