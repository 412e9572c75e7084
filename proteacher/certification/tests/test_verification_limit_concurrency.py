"""The verification page's limit under parallel requests from one address, on PostgreSQL: however
many arrive at once, no more than the limit are answered, and another address is not held up.

Real threads, each with its own database connection, against the test database (committed data:
a transactional test). SQLite runs one writer at a time, so the race needs PostgreSQL.
"""

import threading

import pytest
from django.db import connection

from proteacher.certification import verification
from proteacher.certification.models import VerificationLookup

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]


def test_parallel_lookups_of_one_address_get_no_more_than_the_limit(settings):
    settings.VERIFY_MAX_LOOKUPS = 5
    start = threading.Barrier(16)
    answers = []

    def look_up(address):
        try:
            start.wait()
            answers.append((address, verification.look_up_code(address, "A" * 22) is not None))
        finally:
            connection.close()

    threads = [threading.Thread(target=look_up, args=("198.51.100.7",)) for _ in range(15)]
    threads.append(threading.Thread(target=look_up, args=("203.0.113.9",)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    answered = [address for address, ok in answers if ok]
    assert answered.count("198.51.100.7") == 5
    assert answered.count("203.0.113.9") == 1
    assert VerificationLookup.objects.filter(outcome=VerificationLookup.Outcome.LIMITED).count() == 10
    assert VerificationLookup.objects.count() == 16
