"""The per-minute limit is counted in the database, so web servers calling at once share it: of
many calls in one minute from many connections, exactly the limit go through."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from proteacher.api import tokens
from proteacher.api.models import ApiToken


@pytest.mark.django_db(transaction=True)
def test_calls_from_many_connections_at_once_never_pass_the_limit(issue):
    token, _ = issue(rate_limit_per_minute=5)
    minute = timezone.now().replace(second=30, microsecond=0)
    start = threading.Barrier(4)
    outcomes = []

    def server():
        start.wait()
        try:
            for _ in range(4):
                try:
                    tokens.take_call(token, minute)
                    outcomes.append("ok")
                except tokens.ApiError as refused:
                    outcomes.append(refused.status)
        finally:
            connection.close()

    threads = [threading.Thread(target=server) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes, key=str) == sorted(["ok"] * 5 + [429] * 11, key=str)
    assert ApiToken.objects.get(pk=token.pk).window_calls == 5
