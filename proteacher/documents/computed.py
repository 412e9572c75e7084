"""The computed parts of the observation tools: pure functions of a saved answer, never stored.

- Flanders interaction analysis (SPEC-FORMS): a 10 is added before the first and after the last
  code, each adjacent pair (a, b) is one tally in row a, column b of the 10×10 matrix, and the
  usual ratios come from the category counts of the N recorded codes.
- Seating charts: per-seat and class totals for 語言流動 (who spoke to whom), 在工作中 (on-task
  share per seat and per sweep) and 教師移動 (the teacher's path and the visits per place).

A ratio whose denominator is zero has no value (None); the page shows it as —.
"""

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

SILENCE = 10
FLANDERS_CATEGORIES = [
    (1, "接納感受"),
    (2, "稱讚或鼓勵"),
    (3, "接受或利用學生的想法"),
    (4, "問問題"),
    (5, "講解"),
    (6, "指令"),
    (7, "批評或維護權威"),
    (8, "學生被動反應"),
    (9, "學生主動發言"),
    (10, "安靜或混亂"),
]
FLANDERS_GROUPS = [
    ("教師說話—間接影響", (1, 2, 3, 4)),
    ("教師說話—直接影響", (5, 6, 7)),
    ("學生說話", (8, 9)),
    ("安靜或混亂", (10,)),
]
# A seat's code in a sweep when the student was absent or could not be seen.
ABSENT = "-"
NO_VALUE = "—"


def percent(value: float | None) -> str:
    return NO_VALUE if value is None else f"{value * 100:.1f}%"


def ratio(value: float | None) -> str:
    return NO_VALUE if value is None else f"{value:.2f}"


def _share(part: float, whole: float) -> float | None:
    return None if not whole else part / whole


# --- Flanders ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlandersAnalysis:
    codes: tuple[int, ...]

    @property
    def n(self) -> int:
        return len(self.codes)

    @cached_property
    def matrix(self) -> tuple[tuple[int, ...], ...]:
        cells = [[0] * 10 for _ in range(10)]
        if self.codes:
            padded = (SILENCE, *self.codes, SILENCE)
            for before, after in zip(padded, padded[1:], strict=False):
                cells[before - 1][after - 1] += 1
        return tuple(tuple(row) for row in cells)

    @cached_property
    def counts(self) -> dict[int, int]:
        found = Counter(self.codes)
        return {code: found.get(code, 0) for code in range(1, 11)}

    @property
    def row_totals(self) -> list[int]:
        return [sum(row) for row in self.matrix]

    @property
    def column_totals(self) -> list[int]:
        return [sum(row[column] for row in self.matrix) for column in range(10)]

    @property
    def tallies(self) -> int:
        return sum(self.row_totals)

    @property
    def diagonal(self) -> int:
        return sum(self.matrix[i][i] for i in range(10))

    def total(self, *categories: int) -> int:
        return sum(self.counts[c] for c in categories)

    @property
    def ratios(self) -> dict[str, float | None]:
        t = self.total
        return {
            "TT": _share(t(1, 2, 3, 4, 5, 6, 7), self.n),
            "PT": _share(t(8, 9), self.n),
            "SC": _share(t(10), self.n),
            "ID": _share(t(1, 2, 3, 4), t(5, 6, 7)),
            "id": _share(t(1, 2, 3), t(6, 7)),
            "TQR": _share(t(4), t(4, 5)),
            "PIR": _share(t(9), t(8, 9)),
            "TRR": _share(t(1, 2, 3), t(1, 2, 3, 6, 7)),
            # A share of the matrix's tallies (N + 1 with the two added 10s), so it never tops 100 %.
            "SSR": _share(self.diagonal, self.tallies),
        }


def flanders(codes) -> FlandersAnalysis:
    """The analysis of a list of codes; anything that is not a code 1–10 is left out."""
    kept = tuple(c for c in codes or () if isinstance(c, int) and not isinstance(c, bool) and 1 <= c <= 10)
    return FlandersAnalysis(kept)


# (key, name, formula, shown as, norm per Flanders 1970 as SPEC-FORMS quotes it)
FLANDERS_RATIOS = [
    ("TT", "教師說話比率 (TT)", "(1～7) ÷ N", percent, "約 68%"),
    ("PT", "學生說話比率 (PT)", "(8＋9) ÷ N", percent, "約 20%"),
    ("SC", "安靜或混亂比率 (SC)", "10 ÷ N", percent, "約 11～12%"),
    ("ID", "間接與直接影響比率 (I/D)", "(1＋2＋3＋4) ÷ (5＋6＋7)", ratio, ""),
    ("id", "修正間接與直接影響比率 (i/d)", "(1＋2＋3) ÷ (6＋7)", ratio, ""),
    ("TQR", "教師發問比率 (TQR)", "4 ÷ (4＋5)", percent, "約 26%"),
    ("PIR", "學生主動說話比率 (PIR)", "9 ÷ (8＋9)", percent, "約 34%"),
    ("TRR", "教師反應比率 (TRR)", "(1＋2＋3) ÷ (1＋2＋3＋6＋7)", percent, "約 42%"),
    ("SSR", "穩定狀態比率 (SSR)", "對角線劃記數 ÷ 總劃記數", percent, "約 50%"),
]


def flanders_ratios(analysis: FlandersAnalysis) -> list[dict]:
    values = analysis.ratios
    return [
        {"key": key, "name": name, "formula": formula, "value": shown(values[key]), "norm": norm}
        for key, name, formula, shown, norm in FLANDERS_RATIOS
    ]


def flanders_table(analysis: FlandersAnalysis) -> list[dict]:
    """The matrix as table rows, each with its category, its ten cells and its row total."""
    labels = dict(FLANDERS_CATEGORIES)
    return [
        {
            "code": code,
            "label": labels[code],
            "cells": list(analysis.matrix[code - 1]),
            "total": analysis.row_totals[code - 1],
            "count": analysis.counts[code],
            "percent": percent(_share(analysis.counts[code], analysis.n)),
        }
        for code in range(1, 11)
    ]


# --- seating charts ---------------------------------------------------------------------------


def _count(value) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(value, 0)
    try:
        return max(int(str(value).strip()), 0)
    except ValueError:
        return 0


def _size(chart: dict) -> tuple[int, int]:
    return _count(chart.get("rows")), _count(chart.get("columns"))


def _in_chart(position: str, rows: int, columns: int) -> bool:
    try:
        row, column = (int(part) for part in position.split("-"))
    except ValueError:
        return False
    return 1 <= row <= rows and 1 <= column <= columns


def verbal_flow(chart: dict, kinds: list[str]) -> dict:
    """語言流動: per seat the count of each kind of talk (教師→學生, 學生→教師, 學生→學生) and its
    total; the class totals of each kind; how many students took part at all."""
    rows, columns = _size(chart)
    seats: dict[str, dict[str, int]] = {}
    totals = dict.fromkeys(kinds, 0)
    for position, entry in (chart.get("seats") or {}).items():
        if not _in_chart(position, rows, columns) or not isinstance(entry, dict):
            continue
        counts = {kind: _count(entry.get(kind)) for kind in kinds}
        counts["total"] = sum(counts.values())
        seats[position] = counts
        for kind in kinds:
            totals[kind] += counts[kind]
    totals["total"] = sum(totals[kind] for kind in kinds)
    return {
        "seats": seats,
        "totals": totals,
        "students_involved": sum(1 for counts in seats.values() if counts["total"]),
        "seat_count": rows * columns,
    }


def at_task(chart: dict, codes: list[dict]) -> dict:
    """在工作中: each seat holds one code per sweep (the n-th letter is the n-th sweep; ABSENT when
    the student was not seen). On-task share per seat, per sweep and for the class, and how often
    each code was seen in each sweep."""
    rows, columns = _size(chart)
    known = [c["code"] for c in codes]
    on_task = {c["code"] for c in codes if c.get("on_task")}
    seats = {
        position: str(value)
        for position, value in (chart.get("seats") or {}).items()
        if _in_chart(position, rows, columns) and value
    }
    times = [s.get("time", "") if isinstance(s, dict) else "" for s in chart.get("sweeps") or []]
    sweep_count = max([len(times)] + [len(v) for v in seats.values()])

    per_seat = {}
    for position, letters in seats.items():
        coded = sum(1 for letter in letters if letter in known)
        on = sum(1 for letter in letters if letter in on_task)
        per_seat[position] = {"on": on, "coded": coded, "percent": percent(_share(on, coded))}

    sweeps = []
    code_totals = Counter()
    for index in range(sweep_count):
        seen = Counter(letters[index] for letters in seats.values() if len(letters) > index)
        coded = sum(seen[code] for code in known)
        on = sum(seen[code] for code in on_task)
        code_totals.update({code: seen[code] for code in known})
        sweeps.append(
            {
                "number": index + 1,
                "time": times[index] if index < len(times) else "",
                "on": on,
                "coded": coded,
                "percent": percent(_share(on, coded)),
                "counts": [seen[code] for code in known],
            }
        )
    all_coded = sum(code_totals.values())
    all_on = sum(code_totals[code] for code in on_task)
    return {
        "seats": per_seat,
        "sweeps": sweeps,
        "codes": [
            {
                "code": c["code"],
                "label": c["label"],
                "on_task": bool(c.get("on_task")),
                "count": code_totals[c["code"]],
                "percent": percent(_share(code_totals[c["code"]], all_coded)),
                "per_sweep": [sweep["counts"][index] for sweep in sweeps],
            }
            for index, c in enumerate(codes)
        ],
        "on": all_on,
        "coded": all_coded,
        "percent": percent(_share(all_on, all_coded)),
    }


def teacher_movement(chart: dict, areas: list[str]) -> dict:
    """教師移動: the stops of the teacher's path in order, and per place (a seat 列-行 or an area
    such as 講臺) how many times the teacher went there. Two stops in a row at the same place are
    one visit: the teacher stayed."""
    rows, columns = _size(chart)
    stops = []
    for stop in chart.get("path") or []:
        if not isinstance(stop, dict):
            continue
        position = str(stop.get("position") or "").strip()
        if position:
            stops.append(
                {
                    "order": len(stops) + 1,
                    "time": stop.get("time", ""),
                    "position": position,
                    "note": stop.get("note", ""),
                }
            )
    visits: Counter = Counter()
    orders: dict[str, list[int]] = {}
    previous = None
    for stop in stops:
        if stop["position"] != previous:
            visits[stop["position"]] += 1
            orders.setdefault(stop["position"], []).append(stop["order"])
        previous = stop["position"]
    seat_positions = {p for p in visits if _in_chart(p, rows, columns)}
    return {
        "stops": stops,
        "visits": dict(visits),
        "orders": orders,
        "total_visits": sum(visits.values()),
        "seats_visited": len(seat_positions),
        "seat_count": rows * columns,
        "seats_not_visited": rows * columns - len(seat_positions),
        "area_visits": sum(visits[a] for a in areas),
    }
