"""Every request has an id (proteacher/request_id.py): on the response's X-Request-ID, in each log
line written while it is served, and on the Chinese 500 page as 錯誤代碼."""

import io
import json
import logging

import pytest
from django.urls import reverse

from proteacher import request_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def log():
    """The JSON lines the platform's own log handler (settings.LOGGING) writes during the test."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(found, request_id.RequestIdFilter) for found in handler.filters)
    )
    written = io.StringIO()
    before = handler.setStream(written)
    yield lambda: [json.loads(line) for line in written.getvalue().splitlines()]
    handler.setStream(before)


@pytest.mark.urls("proteacher.portal.tests.raising_urls")
def test_a_broken_page_shows_the_id_that_the_header_and_the_log_carry(client, teacher, log):
    client.raise_request_exception = False
    client.force_login(teacher)

    response = client.get("/broken/")

    assert response.status_code == 500
    given = response["X-Request-ID"]
    assert request_id.SANE.fullmatch(given)
    page = response.content.decode()
    assert f"錯誤代碼：{given}" in page
    assert "系統發生錯誤" in page
    assert "Content-Security-Policy" in response
    logged = [line for line in log() if line["message"] == "Internal Server Error: /broken/"]
    assert len(logged) == 1
    assert logged[0]["request_id"] == given
    assert logged[0]["level"] == "ERROR"
    assert "RuntimeError: the view broke" in logged[0]["exception"]


@pytest.mark.urls("proteacher.portal.tests.raising_urls")
def test_the_500_page_reads_nothing_from_the_database(client, django_assert_num_queries):
    client.raise_request_exception = False

    with django_assert_num_queries(0):
        response = client.get("/broken/")

    assert response.status_code == 500
    assert f"錯誤代碼：{response['X-Request-ID']}" in response.content.decode()


def test_every_answer_carries_an_id_of_its_own(client):
    first = client.get(reverse("portal:home"))
    second = client.get(reverse("portal:home"))

    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert len(first["X-Request-ID"]) == 16


def test_a_sane_id_from_the_proxy_is_kept(client):
    response = client.get(reverse("portal:home"), HTTP_X_REQUEST_ID="3f2c9a6e-1b7d-4e0a-9c55-0d9e8b7a6f10")

    assert response["X-Request-ID"] == "3f2c9a6e-1b7d-4e0a-9c55-0d9e8b7a6f10"


@pytest.mark.parametrize("sent", ["", "a b", "x" * 129, "id\nforged log line", "<script>", "編號"])
def test_anything_else_is_replaced(client, sent):
    response = client.get(reverse("portal:home"), HTTP_X_REQUEST_ID=sent)

    assert response["X-Request-ID"] != sent
    assert request_id.SANE.fullmatch(response["X-Request-ID"])


def test_a_refused_answer_is_logged_with_its_id(client, log):
    response = client.get("/no-such-page/")

    logged = [line for line in log() if line["message"] == "Not Found: /no-such-page/"]
    assert [line["request_id"] for line in logged] == [response["X-Request-ID"]]


def test_outside_a_request_the_id_is_a_dash(log):
    logging.getLogger("proteacher.worker").warning("Job x failed")

    assert [line["request_id"] for line in log() if line["message"] == "Job x failed"] == ["-"]


def test_text_lines_for_development(settings):
    record = logging.LogRecord("proteacher.worker", logging.INFO, __file__, 1, "Worker started", None, None)
    request_id.RequestIdFilter().filter(record)
    text = logging.Formatter(settings.LOGGING["formatters"]["text"]["format"]).format(record)

    assert text.endswith(" INFO proteacher.worker [-] Worker started")
