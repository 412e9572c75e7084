"""Two workers at once, in one test process: the same function in threads started together, each
on its own database connection (PostgreSQL, for the tests of SKIP LOCKED and unique rows)."""

import threading

from django.db import connection


def side_by_side(function, count: int = 2) -> list:
    """Run `function` in `count` threads at once; returns what each returned, and fails the test
    with the first exception any of them raised."""
    results, failures = [], []

    def run():
        try:
            results.append(function())
        except Exception as problem:  # noqa: BLE001 - reported below, in the test's thread
            failures.append(problem)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [], failures
    return results
