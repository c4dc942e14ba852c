"""The scorecard's formulas on hand-written inputs (Circular 01/2018 art. 13 and Decision 766 with the defaults)."""
from __future__ import annotations

from app.reports import scorecard
from app.reports.services import Counts, StepCounts

CFG = {key: params for key, (params, _unsure, _note) in scorecard.DEFAULTS.items()}


def _inputs(**counts) -> scorecard.Inputs:
    steps = counts.pop("steps", StepCounts())
    i = scorecard.Inputs(counts=Counts(**counts, steps=steps))
    i.counts.finished = i.counts.early + i.counts.on_time + i.counts.late
    return i


def test_per_dossier_indexes_are_the_mean_points():
    # 10 received: 4 finished early, 3 on time, 3 late; steps 2 early, 2 late; 2 with one supplement, 1 with three
    i = _inputs(total=10, early=4, on_time=3, late=3, online=3, rated=4, satisfied=3,
                steps=StepCounts(4, 2, 0, 2))
    i.contacts_one, i.contacts_more, i.published_dossiers = 2, 1, 5
    i.procedures, i.at_center = {1, 2, 3, 4}, 1
    got = scorecard.c01_indexes(i, CFG)
    assert got == {"1": (4 * 2 + 3) / 10, "2": 1.0, "3": (7 * 2 + 2) / 10, "4": 2, "5": 1, "6": 1.0, "7": 1.5,
                   "8": 2, "9": 1}
    assert scorecard.c01_score(got, CFG) == round(100 * (1.1 + 1 + 1.6 + 2 + 1 + 1 + 1.5 + 2 + 1) / 18, 2) == 67.78


def test_indexes_without_data_are_left_out_of_the_score():
    got = scorecard.c01_indexes(_inputs(), CFG)
    assert set(got.values()) == {None}
    assert scorecard.c01_score(got, CFG) is None
    assert scorecard.c01_score({"1": 2.0, "2": None, "9": 0}, CFG) == 50.0


def test_unit_thresholds_at_their_boundaries():
    assert scorecard._threshold(0.5, CFG["c01.9"]) == 2
    assert scorecard._threshold(0.4999, CFG["c01.9"]) == 1
    assert scorecard._threshold(0.2, CFG["c01.9"]) == 1
    assert scorecard._threshold(0.1999, CFG["c01.9"]) == 0
    assert scorecard._threshold(None, CFG["c01.9"]) is None


def test_decision_766_groups_rescale_over_the_indicators_with_data():
    # 20 received (5 online), 16 finished (12 early or on time), 4 open of which 1 overdue and 1 paused;
    # 8 finished with an e-result; 3 of 15 counter dossiers digitised; 4 fee-bearing, 1 paid online; 10 rated, 9
    # satisfied; 2 procedures, one fully online, one partially.
    i = _inputs(total=20, online=5, early=6, on_time=6, late=4, open_now=4, overdue_open=1, paused=1, e_results=8,
                rated=10, satisfied=9)
    i.procedures, i.published, i.online_full, i.online_partial = {1, 2}, 1, 1, 1
    i.digitised, i.fee_bearing, i.paid_online = 3, 4, 1
    groups = {g.key: g for g in scorecard.d766_groups(i, CFG)}
    assert groups["publicity"].points == 9.0  # half the procedures published, portal sync not recorded
    assert groups["progress"].points == round(10 * 0.75 + 10 * 2 / 3, 2) == 14.17
    assert groups["digitisation"].points == round(22 * 8 * 0.5 / 16, 2) + round(22 * 8 * 0.2 / 16, 2) == 7.7
    assert groups["online"].points == round(22 * 7 * 0.75 / 22, 2) + round(22 * 8 * 0.25 / 22, 2) + round(
        22 * 7 * 0.25 / 22, 2)
    assert groups["satisfaction"].points == 16.2
    total = scorecard.d766_total(list(groups.values()))
    assert total == round(sum(g.points for g in groups.values()), 2)
    assert scorecard.band(total, CFG) == "average"


def test_bands_and_groups_without_data():
    assert [scorecard.band(x, CFG) for x in (100, 90, 89.99, 70, 50, 49.99, None)] == [
        "excellent", "excellent", "good", "good", "average", "weak", None]
    groups = scorecard.d766_groups(_inputs(total=2, early=1, on_time=1), CFG)
    scored = {g.key: g.points for g in groups}
    # no procedure known, no rating: publicity, online (partly), satisfaction have no data
    assert scored["publicity"] is None and scored["satisfaction"] is None and scored["progress"] == 20.0
    assert scorecard.d766_total(groups) == round(100 * (20.0 + 0 + scored["online"]) / (20 + 22 + 22), 2)
