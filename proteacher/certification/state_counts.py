"""How many cases each state holds, per county, type and academic year (the StateCount table).

The office's 認證審查 page shows a tab per state with its count and a 學年度 filter on every
request; grouping 50,000 cases for that each time made it the slowest page. The counts live in a
table of a few thousand rows instead:

- `opened()` and `moved_many()` are called by the workflow's `open_case()` and `transition()` in the
  transaction of the change, so a count changes exactly when a case does (and not at all when the
  change is refused and rolled back).
- Each writes with one `INSERT … ON CONFLICT DO UPDATE` per row (PostgreSQL and SQLite alike), so
  two first cases of a new county, type and year never collide. A change takes its two rows in a
  fixed order, and last in its transaction, so changes of the same county, type and year wait for
  each other only for the moment of their commit and never deadlock.
- `rebuild()` counts again from the cases: after data was loaded in bulk (bench/, demo
  generators) and as the check `manage.py recount_states` runs.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Sum

from proteacher.certification.models import Case, StateCount


@dataclass(frozen=True)
class Key:
    county_key: int
    certification_type_id: int
    academic_year: int
    state: str


def _key(case: Case, state: str) -> Key:
    return Key(case.county_id or 0, case.certification_type_id, case.academic_year, state)


UPSERT = (
    "INSERT INTO {table} (county_key, certification_type_id, academic_year, state, count) "
    "VALUES {rows} "
    "ON CONFLICT (county_key, certification_type_id, academic_year, state) "
    "DO UPDATE SET count = {table}.count + excluded.count"
)
ROW = "(%s, %s, %s, %s, %s)"


def _add(changes: list[tuple[Key, int]]) -> None:
    # One statement for the change's rows (each key once), which takes them in the order of its
    # VALUES. The table name is the model's own; every value is a parameter.
    ordered = sorted(changes, key=lambda change: _order(change[0]))
    sql = UPSERT.format(
        table=connection.ops.quote_name(StateCount._meta.db_table), rows=", ".join([ROW] * len(ordered))
    )
    params = []
    for key, delta in ordered:
        params += [key.county_key, key.certification_type_id, key.academic_year, key.state, delta]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _order(key: Key) -> tuple:
    return (key.county_key, key.certification_type_id, key.academic_year, key.state)


def opened(case: Case) -> None:
    """A new case counts in its first state."""
    _add([(_key(case, case.state), 1)])


def moved(case: Case, from_state: str, to_state: str) -> None:
    """A case left `from_state` for `to_state`."""
    moved_many([(case, from_state, to_state)])


def moved_many(moves: list[tuple[Case, str, str]]) -> None:
    """Cases left their states for others ((case, from_state, to_state) each): one upsert for all."""
    deltas: dict[Key, int] = {}
    for case, from_state, to_state in moves:
        if from_state != to_state:
            for key, delta in ((_key(case, from_state), -1), (_key(case, to_state), 1)):
                deltas[key] = deltas.get(key, 0) + delta
    changes = [(key, delta) for key, delta in deltas.items() if delta]
    if changes:
        _add(changes)


@dataclass(frozen=True)
class Summary:
    """One county's counts (or every county's), by academic year, type and state: what the queue
    needs for its 學年度 choices and its tabs, read in one query."""

    rows: tuple[tuple[int, int, str, int], ...]  # (academic year, type id, state, cases)

    def academic_years(self) -> list[int]:
        """The years with cases, newest first."""
        return sorted({year for year, _, _, count in self.rows if count}, reverse=True)

    def counts(self, certification_type_id=None, academic_year=None) -> dict[str, int]:
        """{state: cases} of one type and one year (None: any); states without cases are absent."""
        found: dict[str, int] = {}
        for year, type_id, state, count in self.rows:
            if (certification_type_id and type_id != certification_type_id) or (
                academic_year and year != academic_year
            ):
                continue
            found[state] = found.get(state, 0) + count
        return {state: count for state, count in found.items() if count}


def summary(county_id: int | None = None) -> Summary:
    """The counts of one county (None: every county, and the cases without one)."""
    rows = StateCount.objects.filter(count__gt=0)
    if county_id is not None:
        rows = rows.filter(county_key=county_id)
    grouped = (
        rows.order_by().values_list("academic_year", "certification_type_id", "state").annotate(total=Sum("count"))
    )
    return Summary(tuple(grouped))


def counts(*, county_id: int | None = None, certification_type_id=None, academic_year=None) -> dict[str, int]:
    """{state: cases} for one county (None: every county), optionally one type and one year."""
    return summary(county_id).counts(certification_type_id, academic_year)


def counted_from_cases() -> dict[Key, int]:
    """What the table should hold, counted from the cases themselves (one grouped query)."""
    rows = (
        Case.objects.order_by()
        .values("county_id", "certification_type_id", "academic_year", "state")
        .annotate(count=Count("pk"))
    )
    return {
        Key(row["county_id"] or 0, row["certification_type_id"], row["academic_year"], row["state"]): row["count"]
        for row in rows
    }


def differences() -> dict[Key, tuple[int, int]]:
    """{key: (kept, counted)} where the table and the cases disagree (empty when all is well)."""
    counted = counted_from_cases()
    kept = {
        Key(row.county_key, row.certification_type_id, row.academic_year, row.state): row.count
        for row in StateCount.objects.all()
    }
    return {
        key: (kept.get(key, 0), counted.get(key, 0))
        for key in kept.keys() | counted.keys()
        if kept.get(key, 0) != counted.get(key, 0)
    }


LOCK_CASES = "LOCK TABLE {table} IN SHARE MODE"


def rebuild() -> int:
    """Count again from the cases and replace the table; returns the rows written. Cases keep
    changing meanwhile on a live site, so the cases table is locked against changes for the
    moment of the count on PostgreSQL (SHARE mode: reads go on, changes wait)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            lock = LOCK_CASES.format(table=connection.ops.quote_name(Case._meta.db_table))
            with connection.cursor() as cursor:
                cursor.execute(lock)
        counted = counted_from_cases()
        StateCount.objects.all().delete()
        StateCount.objects.bulk_create(
            StateCount(
                county_key=key.county_key,
                certification_type_id=key.certification_type_id,
                academic_year=key.academic_year,
                state=key.state,
                count=count,
            )
            for key, count in counted.items()
        )
    return len(counted)
