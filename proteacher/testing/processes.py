"""Real OS processes against the test database, for tests of what several machines do at once:
the database's address for them, a worker process (`manage.py run_worker`), and waiting for what
they do. A transactional test (committed data) is what such a process can see."""

import os
import subprocess
import sys
import time
from urllib.parse import quote

from django.conf import settings


def database_url() -> str:
    """The test database (pytest-django renamed it) as the processes' DATABASE_URL."""
    db = settings.DATABASES["default"]
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(tmp_path, name: str, **environment: str) -> subprocess.Popen:
    """`manage.py run_worker` on the test database, a pass a second, its own VAR_DIR and its log in
    tmp_path/<name>.log; `environment` adds or replaces variables (EMAIL_HOST, a lease …)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "proteacher.settings",
        "DEBUG": "1",
        "VAR_DIR": str(tmp_path),
        "WORKER_INTERVAL_SECONDS": "1",
        **environment,
    }
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, timeout: float, what: str) -> None:
    """Poll `condition` until it holds; fail the test naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
