"""The API against its own OpenAPI document: schemathesis generates calls from the document (a
bounded number per operation, with a valid token of every scope) and checks every answer — no
server error, the status and the body as the document says, refusals without the token."""

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from proteacher.api import tokens
from proteacher.api.models import ApiToken, TokenImport
from proteacher.certification.workflow import State
from proteacher.review import imports
from proteacher.testing import factories
from proteacher.testing.workflow import advance

# Examples per operation: enough to walk every parameter's edges, few enough to run in seconds.
EXAMPLES = 30


# The token every generated call carries, stored afresh for each operation's test.
SECRET = "S" * 43
TOKEN = f"ptk_5c4e3a7e57_{SECRET}"


@pytest.fixture
def national_token(issue, teacher, admin_user, taichung_teacher):
    """A national token of every scope with a limit no run reaches, and cases, a certificate and a
    training file it sent to read."""
    advance(factories.case(teacher, "advanced"), State.ISSUED, admin_user)
    factories.case(taichung_teacher, "basic")
    factories.certificate(taichung_teacher, "basic", 104, "A104000811")
    token, _ = issue(rate_limit_per_minute=6000)
    upload = SimpleUploadedFile("研習時數.csv", "全教網帳號,課程名稱,類別,時數,研習日期\n".encode())
    run = imports.submit("training", upload, actor=None, by="API 測試系統", load_when_clean=True)
    TokenImport.objects.create(token=token, run=run)
    ApiToken.objects.filter(pk=token.pk).update(prefix=tokens.prefix_of(TOKEN), secret_hash=tokens.digest(SECRET))


# Every check on, with one allowance: a cursor is opaque (any string is schema-valid, only the one a
# page returned means something) and a time may lie beyond what the database holds, so a
# schema-valid call may get the documented 400 as well as a 2xx or a refusal of its token.
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "429"]}}}
)
# Read through the WSGI application at collection (the document needs no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)


@pytest.fixture
def connection_kept():
    """Served outside Django's test client, the application would close the database connection at
    the end of each request, and the test's transaction with it: keep it, as the test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.auth()
class NationalToken:
    """Through schemathesis, so the calls it makes without a token on purpose stay without one."""

    def get(self, case, context):
        return TOKEN

    def set(self, case, data, context):
        case.headers["Authorization"] = f"Bearer {data}"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_keeps_to_its_document(db, connection_kept, case, national_token):
    case.call_and_validate()
