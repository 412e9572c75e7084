import datetime

import pytest
from django.utils import timezone

from proteacher.api import tokens
from proteacher.api.models import Scope
from proteacher.certification.workflow import State
from proteacher.testing import factories
from proteacher.testing.workflow import advance


@pytest.fixture
def issue(admin_user):
    """issue(county=None, scopes=every scope, …) → (token, the text a system sends)."""

    def make(county=None, scopes=None, name="測試系統", days=30, rate_limit_per_minute=60):
        return tokens.issue(
            name=name,
            county=county,
            scopes=list(Scope.values) if scopes is None else scopes,
            expires_at=timezone.now() + datetime.timedelta(days=days),
            rate_limit_per_minute=rate_limit_per_minute,
            actor=admin_user,
        )

    return make


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def taipei_case(teacher, taipei_officer):
    """黃測試's 臺北市 case, sent and passed 形式審查 (in 分發委員)."""
    return advance(factories.case(teacher, "advanced"), State.FIRST_ASSIGN, taipei_officer)


@pytest.fixture
def taichung_case(taichung_teacher):
    return factories.case(taichung_teacher, "advanced")
