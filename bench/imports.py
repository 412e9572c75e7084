"""How long does a 200,000-row training file take through 資料匯入, upload to 已匯入?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/imports.py

The path of the browser and of the API, step by step: review.imports.submit (the file stored, as
an upload), the worker's job (review.imports.load_imports) checking it, confirm, the worker's job
loading it. Creates the PostgreSQL database when it is missing and migrates it, writes the same
realistic CSV as bench/import_training.py, empties the training table before each run, and prints
each step's time per run and the median of the totals. Uploaded files go to a temporary folder.
See bench/README.md.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proteacher.settings")
# Production settings (DEBUG off) refuse the development key; the import signs nothing.
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)

from import_training import ensure_postgres_database, write_rows  # noqa: E402

GOAL_SECONDS = 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--allow-any-database",
        action="store_true",
        help="empty the training table even when the database name does not contain 'bench'",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("Set DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench")
    ensure_postgres_database(url)

    import django

    django.setup()

    from django.conf import settings
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection

    from proteacher.registry.models import TrainingRecord
    from proteacher.review import imports
    from proteacher.review.models import ImportRun

    name = connection.settings_dict["NAME"]
    if "bench" not in str(name) and not args.allow_any_database:
        sys.exit(f"Database {name!r} does not look like a benchmark database; it would lose its training records.")
    call_command("migrate", verbosity=0)
    settings.IMPORT_MAX_MEGABYTES = max(settings.IMPORT_MAX_MEGABYTES, 200)

    def empty_table() -> None:
        with connection.cursor() as cursor:
            table = TrainingRecord._meta.db_table
            cursor.execute(f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}")  # noqa: S608 - a model's own table name

    def step(label: str, timings: dict, action):
        started = time.perf_counter()
        value = action()
        timings[label] = time.perf_counter() - started
        return value

    with tempfile.TemporaryDirectory() as folder:
        settings.MEDIA_ROOT = Path(folder) / "media"
        path = Path(folder) / "training.csv"
        write_rows(path, args.rows)
        print(f"{connection.vendor} {name}: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB")
        totals = []
        for number in range(1, args.runs + 1):
            empty_table()
            timings: dict[str, float] = {}
            with open(path, "rb") as handle:
                upload = File(handle, name="研習時數.csv")
                run = step(
                    "submit", timings, lambda upload=upload: imports.submit("training", upload, actor=None, by="bench")
                )
            step("check", timings, imports.load_imports)
            run.refresh_from_db()
            if run.status != ImportRun.Status.READY:
                sys.exit(f"run {number}: the check ended in {run.get_status_display()}: {run.errors[:5]}")
            imports.confirm(run, None)
            step("load", timings, imports.load_imports)
            run.refresh_from_db()
            if run.status != ImportRun.Status.DONE or run.created != args.rows:
                sys.exit(f"run {number}: the load ended in {run.get_status_display()}: {run.message} {run.errors[:5]}")
            total = sum(timings.values())
            totals.append(total)
            steps = ", ".join(f"{label} {seconds:.2f} s" for label, seconds in timings.items())
            print(f"run {number}: {total:.2f} s ({steps})")
        median = statistics.median(totals)
        verdict = "under" if median < GOAL_SECONDS else "OVER"
        print(f"median of {args.runs} runs, upload to 已匯入: {median:.2f} s ({verdict} the {GOAL_SECONDS} s goal)")
        empty_table()
        ImportRun.objects.filter(by="bench").delete()


if __name__ == "__main__":
    main()
