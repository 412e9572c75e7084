"""How long does loading a national training file take? (研習時數, 200,000 rows by default)

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/import_training.py

Creates the PostgreSQL database when it is missing and migrates it, writes a CSV of realistic rows
into a temporary folder, then loads it several times through the same code as
`manage.py import_training`, emptying the training table before each run, and prints each time
and the median. A last run loads the same file over the loaded rows (every row unchanged), the
cost of an accidental second upload. See bench/README.md.
"""

import argparse
import csv
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proteacher.settings")
# Production settings (DEBUG off) refuse the development key; the import signs nothing.
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)

# The courses a county centre runs, with their category and usual length in hours.
COURSES = [
    ("初階專業回饋人才培訓 1-1 認識教學觀察與回饋", "初階培訓", ["3", "6"]),
    ("初階專業回饋人才培訓 1-2 觀察前會談與觀察工具", "初階培訓", ["3", "6"]),
    ("初階專業回饋人才培訓 1-3 觀察後回饋會談", "初階培訓", ["3", "6"]),
    ("進階專業回饋人才培訓 2-1 教學觀察與回饋實務", "進階培訓", ["6"]),
    ("進階專業回饋人才培訓 2-2 專業學習社群與共同備課", "進階培訓", ["6"]),
    ("進階專業回饋人才培訓 2-3 學習共同體與公開授課", "進階培訓", ["3", "6"]),
    ("進階專業回饋人才培訓 2-4 專業回饋實務探討", "進階實務探討", ["3", "6"]),
    ("教學輔導教師培訓 3-1 教學輔導理念與實務", "教學輔導教師培訓", ["6", "12"]),
    ("教學輔導教師培訓 3-2 輔導夥伴教師專業成長", "教學輔導教師培訓", ["6"]),
    ("教學輔導教師實務探討 3-5 輔導歷程回顧與省思", "教學輔導教師實務探討", ["3", "6"]),
    ("十二年國教課綱素養導向教學設計", "其他", ["1.5", "2", "3"]),
    ("差異化教學與學習評量", "其他", ["2", "3"]),
    ("數位學習與科技輔助教學", "其他", ["1", "2", "3"]),
]
COUNTY_PREFIXES = ["臺北市", "新北市", "桃園市", "臺中市", "臺南市", "高雄市", "新竹縣", "彰化縣", "屏東縣", "花蓮縣"]


def write_rows(path: Path, count: int, seed: int = 2026) -> None:
    """`count` rows for about a fifth as many teachers, each key (account, course, date) once."""
    rng = random.Random(seed)
    teachers = max(1, count // 5)
    first_day = datetime.date(2016, 8, 1)  # 105學年度
    span = (datetime.date(2025, 7, 31) - first_day).days
    seen: set[tuple[str, str, datetime.date]] = set()
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["全教網帳號", "課程名稱", "類別", "時數", "研習日期"])
        while len(seen) < count:
            account = f"t{rng.randrange(teachers):07d}"
            course, category, hours = rng.choice(COURSES)
            # Courses are run by a county centre: the same course name in another county is another course.
            course = f"{rng.choice(COUNTY_PREFIXES)} {course}"
            day = first_day + datetime.timedelta(days=rng.randrange(span))
            if (account, course, day) in seen:
                continue
            seen.add((account, course, day))
            # Half the files write ROC dates, as the old system exports them.
            written = day.isoformat() if rng.random() < 0.5 else f"{day.year - 1911}/{day.month:02d}/{day.day:02d}"
            writer.writerow([account, course, category, rng.choice(hours), written])


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
    from django.core.management import call_command
    from django.db import connection

    from proteacher.registry.importers import TrainingImporter
    from proteacher.registry.importing import run_import
    from proteacher.registry.models import TrainingRecord

    name = connection.settings_dict["NAME"]
    if "bench" not in str(name) and not args.allow_any_database:
        sys.exit(f"Database {name!r} does not look like a benchmark database; it would lose its training records.")
    call_command("migrate", verbosity=0)
    table = TrainingRecord._meta.db_table

    def empty_table() -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {table}")
            else:
                cursor.execute(f"DELETE FROM {table}")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "training.csv"
        started = time.perf_counter()
        write_rows(path, args.rows)
        print(
            f"{connection.vendor} {name}: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB "
            f"(written in {time.perf_counter() - started:.1f} s)"
        )

        times = []
        for run in range(1, args.runs + 1):
            empty_table()
            started = time.perf_counter()
            result = run_import(TrainingImporter(), path)
            elapsed = time.perf_counter() - started
            if not result.ok or result.created != args.rows:
                sys.exit(f"run {run} failed: {result.summary()} {result.errors[:5]}")
            times.append(elapsed)
            print(f"run {run}: {elapsed:.2f} s ({args.rows / elapsed:,.0f} rows/s)")
        print(f"median of {args.runs} fresh loads: {statistics.median(times):.2f} s")

        started = time.perf_counter()
        again = run_import(TrainingImporter(), path)
        print(f"same file again (all rows unchanged): {time.perf_counter() - started:.2f} s — {again.summary()}")
        empty_table()


def ensure_postgres_database(url: str) -> None:
    """CREATE DATABASE when PostgreSQL has none of that name (connecting to 'postgres' to do it)."""
    import dj_database_url

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg
    from psycopg import sql

    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"created database {config['NAME']}")


if __name__ == "__main__":
    main()
