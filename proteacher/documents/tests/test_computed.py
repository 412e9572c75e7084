"""The computed parts of the observation tools, checked against examples worked out by hand."""

from proteacher.documents import computed

# Flanders, by hand. Codes recorded: 5 5 4 8 2 10 9 3 (N = 8).
# With a 10 added before and after: 10 5 5 4 8 2 10 9 3 10, so 9 pairs (tallies):
#   (10,5) (5,5) (5,4) (4,8) (8,2) (2,10) (10,9) (9,3) (3,10)
# Row totals: 10→2, 5→2, 4→1, 8→1, 2→1, 9→1, 3→1 (sum 9); column totals: 5→2, 10→2, others 1.
# Diagonal: only (5,5) → 1.
# Counts: 2:1 3:1 4:1 5:2 8:1 9:1 10:1 (1, 6, 7: 0).
#   TT  = (1…7)/N = 5/8 = 62.5 %        PT  = (8+9)/N = 2/8 = 25.0 %     SC = 10/N = 1/8 = 12.5 %
#   I/D = (1+2+3+4)/(5+6+7) = 3/2 = 1.50  i/d = (1+2+3)/(6+7) = 2/0 → —
#   TQR = 4/(4+5) = 1/3 = 33.3 %         PIR = 9/(8+9) = 1/2 = 50.0 %
#   TRR = (1+2+3)/(1+2+3+6+7) = 2/2 = 100.0 %
#   SSR = diagonal / tallies = 1/9 = 11.1 %
HAND_CODES = [5, 5, 4, 8, 2, 10, 9, 3]


def cell(analysis, row, column):
    return analysis.matrix[row - 1][column - 1]


def test_flanders_tallies_each_adjacent_pair_with_a_10_at_both_ends():
    analysis = computed.flanders(HAND_CODES)
    expected = {(10, 5): 1, (5, 5): 1, (5, 4): 1, (4, 8): 1, (8, 2): 1, (2, 10): 1, (10, 9): 1, (9, 3): 1, (3, 10): 1}
    for row in range(1, 11):
        for column in range(1, 11):
            assert cell(analysis, row, column) == expected.get((row, column), 0), (row, column)
    assert analysis.tallies == 9 and analysis.n == 8


def test_flanders_row_and_column_totals():
    analysis = computed.flanders(HAND_CODES)
    assert analysis.row_totals == [0, 1, 1, 1, 2, 0, 0, 1, 1, 2]
    assert analysis.column_totals == [0, 1, 1, 1, 2, 0, 0, 1, 1, 2]
    assert analysis.diagonal == 1


def test_flanders_ratios_match_the_hand_computation():
    shown = {r["key"]: r["value"] for r in computed.flanders_ratios(computed.flanders(HAND_CODES))}
    assert shown == {
        "TT": "62.5%",
        "PT": "25.0%",
        "SC": "12.5%",
        "ID": "1.50",
        "id": "—",
        "TQR": "33.3%",
        "PIR": "50.0%",
        "TRR": "100.0%",
        "SSR": "11.1%",
    }


def test_flanders_category_percentages_are_shares_of_the_codes():
    rows = {row["code"]: row for row in computed.flanders_table(computed.flanders(HAND_CODES))}
    assert rows[5]["count"] == 2 and rows[5]["percent"] == "25.0%"
    assert rows[1]["count"] == 0 and rows[1]["percent"] == "0.0%"
    assert rows[10]["total"] == 2


def test_flanders_without_codes_shows_no_ratio():
    analysis = computed.flanders([])
    assert analysis.tallies == 0
    assert {r["value"] for r in computed.flanders_ratios(analysis)} == {"—"}


def test_flanders_ignores_anything_that_is_not_a_code():
    assert computed.flanders([1, "x", 11, 0, True, 2]).codes == (1, 2)


def test_flanders_steady_state_never_exceeds_all_tallies():
    # Only silence: 10 10 10 padded to five 10s gives 4 tallies, all on the diagonal.
    assert computed.flanders([10, 10, 10]).ratios["SSR"] == 1.0


# 語言流動 on a 2 × 2 chart, by hand:
#   seat 1-1: 教師→學生 2, 學生→教師 1        → 3
#   seat 1-2: 學生→學生 3                      → 3
#   seat 2-2: 1 + 1 + 1                        → 3
#   seat 3-1 lies outside the chart and is not counted.
#   class: 教師→學生 3, 學生→教師 2, 學生→學生 4, total 9; 3 of 4 seats took part.
VERBAL = {
    "rows": 2,
    "columns": 2,
    "seats": {
        "1-1": {"ts": 2, "st": 1},
        "1-2": {"ss": 3},
        "2-2": {"ts": 1, "st": 1, "ss": 1},
        "3-1": {"ts": 9},
    },
}


def test_verbal_flow_totals_per_seat():
    result = computed.verbal_flow(VERBAL, ["ts", "st", "ss"])
    assert result["seats"]["1-1"] == {"ts": 2, "st": 1, "ss": 0, "total": 3}
    assert result["seats"]["1-2"]["total"] == 3 and result["seats"]["2-2"]["total"] == 3
    assert "3-1" not in result["seats"]


def test_verbal_flow_class_totals():
    result = computed.verbal_flow(VERBAL, ["ts", "st", "ss"])
    assert result["totals"] == {"ts": 3, "st": 2, "ss": 4, "total": 9}
    assert (result["students_involved"], result["seat_count"]) == (3, 4)


# 在工作中 on a 1 × 3 chart, codes A (on task), B, C; "-" means not seen. By hand:
#   seat 1-1 "AAB": on 2 of 3 coded → 66.7 %
#   seat 1-2 "A-C": on 1 of 2 coded → 50.0 %
#   seat 1-3 "BA":  on 1 of 2 coded → 50.0 %
#   sweep 1: A A B → 2/3 = 66.7 %;  sweep 2: A - A → 2/2 = 100.0 %;  sweep 3: B C → 0/2 = 0.0 %
#   class: 4 of 7 → 57.1 %; A 4 (57.1 %), B 2 (28.6 %), C 1 (14.3 %)
CODES = [
    {"code": "A", "label": "在工作中", "on_task": True},
    {"code": "B", "label": "分心"},
    {"code": "C", "label": "聊天"},
]
AT_TASK = {
    "rows": 1,
    "columns": 3,
    "sweeps": [{"time": "09:00"}, {"time": "09:05"}, {"time": "09:10"}],
    "seats": {"1-1": "AAB", "1-2": "A-C", "1-3": "BA"},
}


def test_at_task_share_per_seat():
    seats = computed.at_task(AT_TASK, CODES)["seats"]
    assert seats["1-1"] == {"on": 2, "coded": 3, "percent": "66.7%"}
    assert seats["1-2"] == {"on": 1, "coded": 2, "percent": "50.0%"}
    assert seats["1-3"] == {"on": 1, "coded": 2, "percent": "50.0%"}


def test_at_task_share_per_sweep():
    sweeps = computed.at_task(AT_TASK, CODES)["sweeps"]
    assert [(s["time"], s["on"], s["coded"], s["percent"]) for s in sweeps] == [
        ("09:00", 2, 3, "66.7%"),
        ("09:05", 2, 2, "100.0%"),
        ("09:10", 0, 2, "0.0%"),
    ]
    assert sweeps[0]["counts"] == [2, 1, 0]


def test_at_task_class_totals_per_code():
    result = computed.at_task(AT_TASK, CODES)
    assert (result["on"], result["coded"], result["percent"]) == (4, 7, "57.1%")
    assert [(c["code"], c["count"], c["percent"], c["per_sweep"]) for c in result["codes"]] == [
        ("A", 4, "57.1%", [2, 2, 0]),
        ("B", 2, "28.6%", [1, 0, 1]),
        ("C", 1, "14.3%", [0, 0, 1]),
    ]


def test_at_task_counts_sweeps_written_before_their_times():
    chart = {**AT_TASK, "sweeps": []}
    assert len(computed.at_task(chart, CODES)["sweeps"]) == 3


def test_at_task_seat_seen_nowhere_has_no_share():
    result = computed.at_task({"rows": 1, "columns": 1, "seats": {"1-1": "--"}}, CODES)
    assert result["seats"]["1-1"]["percent"] == "—" and result["percent"] == "—"


# 教師移動 on a 2 × 2 chart with the area 講臺, by hand:
#   stops: 1 講臺 09:00, 2 1-1 09:02, 3 1-1 09:03 (stayed), 4 2-2 09:05, 5 講臺 09:07, 6 1-1 09:09
#   visits: 講臺 2 (stops 1, 5), 1-1 2 (stops 2, 6), 2-2 1 (stop 4); 5 visits in all;
#   seats visited 2 of 4, 2 never visited; the area 講臺 was visited twice.
PATH = {
    "rows": 2,
    "columns": 2,
    "path": [
        {"time": "09:00", "position": "講臺"},
        {"time": "09:02", "position": "1-1"},
        {"time": "09:03", "position": "1-1"},
        {"time": "09:05", "position": "2-2", "note": "個別指導"},
        {"time": "09:07", "position": "講臺"},
        {"time": "09:09", "position": "1-1"},
        {"time": "", "position": ""},
    ],
}


def test_teacher_movement_keeps_the_path_in_order():
    stops = computed.teacher_movement(PATH, ["講臺"])["stops"]
    assert [(s["order"], s["time"], s["position"]) for s in stops] == [
        (1, "09:00", "講臺"),
        (2, "09:02", "1-1"),
        (3, "09:03", "1-1"),
        (4, "09:05", "2-2"),
        (5, "09:07", "講臺"),
        (6, "09:09", "1-1"),
    ]


def test_teacher_movement_counts_visits_per_place():
    result = computed.teacher_movement(PATH, ["講臺"])
    assert result["visits"] == {"講臺": 2, "1-1": 2, "2-2": 1}
    assert result["orders"] == {"講臺": [1, 5], "1-1": [2, 6], "2-2": [4]}


def test_teacher_movement_class_totals():
    result = computed.teacher_movement(PATH, ["講臺"])
    assert result["total_visits"] == 5
    assert (result["seats_visited"], result["seat_count"], result["seats_not_visited"]) == (2, 4, 2)
    assert result["area_visits"] == 2
