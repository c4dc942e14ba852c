"""Issue 16: the scorecard and ranking (Circular 01/2018 art. 13, Decision 766) on a hand-built March 2026.

At the provincial center on Mon 02/03/2026 09:00, five dossiers (work permits due Mon 16/03 09:00, handled by the
Department of Home Affairs; a birth registration handled by Hạc Thành ward):
  A  permit, received online, handed over on 02/03, rated "very satisfied"   -> early
  B  permit, result stamped on the due day 16/03 08:00                        -> on time
  C  permit, result stamped on 17/03                                          -> late
  D  permit, supplement requested on 03/03, still waiting                     -> paused, one contact
  W  birth registration at the ward (same-day limit), handed over on 02/03    -> on time
Hand-computed with the default configuration:
  SNV  index 1 = (2+1+0)/3 = 1.0; index 3 = (2+2+2+1)/4 = 1.75; index 5 (permit fully at the center) = 2;
       index 7 = 2; index 9 (1/4 online = 25 %) = 1; indexes 4, 6, 8 = 2.
       766: publicity 18; progress 20 × (2/3) = 13.33 (no open dossier that is not paused); digitisation 0
       (no e-result, no scan); online 22 × (7 × 1 + 8 × 0.25) / 15 = 10.27 + 2.93 = 13.2; satisfaction 18
       -> 62.53 "average".
  Ward index 1 = 1, 3 = 2, 5 = 0 (not fully at the center), 7 none, 9 = 0.
       766: publicity 18, progress 20, digitisation 0, online 22 × 7 / 15 = 10.27, satisfaction none
       -> 48.27 / 82 × 100 = 58.87 "average", ranked second.
"""
from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from app.dossiers import lifecycle
from app.extensions import db
from app.reports.models import ScorecardConfig
from tests.functional.api.conftest import Api, assert_problem
from tests.functional.ui_world import clock, desk, officials, world  # noqa: F401

PERMIT, BIRTH = "1.014199", "1.001193"
MARCH = "from=2026-03-01&to=2026-03-31"


def _build(desk, clock):  # noqa: F811
    clock("2026-03-02 09:00")
    receipt = desk.receive(PERMIT, channel="online")
    a = receipt.dossier
    b, c, d = (desk.receive(PERMIT).dossier for _ in range(3))
    w = desk.receive(BIRTH, "14797").dossier
    desk.run_to_end(a)
    desk.run_to_end(w)
    lifecycle.rate(a.code, receipt.pin, "very_satisfied")
    db.session.commit()
    clock("2026-03-03 09:00")
    desk.complete(d, "appraisal", decision="supplement", supplement_items="Hộ chiếu")
    clock("2026-03-16 08:00")
    for kind in ("appraisal", "approval", "stamping"):
        desk.complete(b, kind)
    clock("2026-03-17 09:00")
    for kind in ("appraisal", "approval", "stamping"):
        desk.complete(c, kind)
    clock("2026-03-30 09:00")


def _ranking(client) -> dict:
    response = Api(client).get(f"/stats/scorecard?{MARCH}", user="giamsat.tinh")
    assert response.status_code == 200, response.text
    return response.get_json()


class TestScorecard:
    def test_indexes_groups_and_ranking_through_the_api(self, client, desk, clock):  # noqa: F811
        _build(desk, clock)
        body = _ranking(client)
        assert (body["from"], body["to"], body["effective"]) == ("2026-03-01", "2026-03-31", "2026-03-31")
        ranked = [(r["rank"], r["agency_code"]) for r in body["ranking"]]
        assert ranked == [(1, "H38.SNV"), (2, "14797")]
        snv, ward = body["ranking"]
        assert (snv["received"], snv["finished"]) == (4, 3)
        idx = snv["circular_01_indexes"]
        assert {k: idx[k] for k in ("1", "3", "4", "5", "6", "7", "8", "9")} == {
            "1": 1.0, "3": 1.75, "4": 2, "5": 2, "6": 2, "7": 2, "8": 2, "9": 1}
        steps = Api(client).get(f"/stats?{MARCH}&agency=H38.SNV", user="giamsat.tinh").get_json()["by_agency"]
        s = next(row for row in steps if row["agency_code"] == "H38.SNV")["steps"]
        assert s["finished"] > 0 and idx["2"] == (2 * s["early"] + s["on_time"]) / s["finished"]
        assert snv["circular_01_score"] == round(100 * (1.0 + idx["2"] + 1.75 + 2 + 2 + 2 + 2 + 2 + 1) / 18, 2)
        groups = {g["key"]: g["points"] for g in snv["decision_766_groups"]}
        assert groups == {"publicity": 18.0, "progress": 13.33, "digitisation": 0.0, "online": 13.2,
                          "satisfaction": 18.0}
        assert (snv["decision_766_total"], snv["band"]) == (62.53, "average")
        w_idx = ward["circular_01_indexes"]
        assert (w_idx["1"], w_idx["3"], w_idx["5"], w_idx["7"], w_idx["9"]) == (1.0, 2.0, 0, None, 0)
        assert {g["key"]: g["points"] for g in ward["decision_766_groups"]}["satisfaction"] is None
        assert (ward["decision_766_total"], ward["band"]) == (58.87, "average")

    def test_effective_dated_configuration_changes_later_periods_only(self, client, desk, clock):  # noqa: F811
        _build(desk, clock)
        # From 15/03 the province weighs satisfaction at 30 points: March (ending 31/03) is scored with it,
        # February is not.
        params = {"points": 30, "indicators": {"satisfied": 18, "feedback_on_time": 0}}
        seeded = ScorecardConfig.query.filter_by(key="d766.satisfaction").count()  # 1, or 0 after a test emptied it
        db.session.add(ScorecardConfig(key="d766.satisfaction", effective_from=date(2026, 3, 15), params=params,
                                       unsure=False))
        db.session.commit()
        snv = _ranking(client)["ranking"][0]
        assert {g["key"]: g["points"] for g in snv["decision_766_groups"]}["satisfaction"] == 30.0
        assert snv["decision_766_total"] == round(100 * (18 + 13.33 + 0 + 13.2 + 30) / 112, 2)
        assert ScorecardConfig.query.filter_by(key="d766.satisfaction").count() == seeded + 1  # ours, added
        feb = Api(client).get("/stats/scorecard?from=2026-02-01&to=2026-02-28", user="giamsat.tinh").get_json()
        assert feb["ranking"] == []

    def test_scope_and_errors(self, client, desk, clock):  # noqa: F811
        _build(desk, clock)
        mine = Api(client).get(f"/stats/scorecard?{MARCH}", user="lanhdao.snv").get_json()
        assert [r["agency_code"] for r in mine["ranking"]] == ["H38.SNV"]
        assert_problem(Api(client).get("/stats/scorecard?agency=14797", user="lanhdao.snv"), 403)
        assert_problem(Api(client).get("/stats/scorecard?from=2026-03-02&to=2026-03-01", user="lanhdao.snv"), 422)
        assert_problem(Api(client).get("/stats/scorecard"), 401)

    def test_ranking_page_with_csv_and_xlsx(self, desk, officials, clock):  # noqa: F811
        _build(desk, clock)
        client = officials.login("giamsat.tinh")
        html = client.get(f"/thong-ke/xep-hang?{MARCH}").get_data(as_text=True)
        assert "Xếp hạng đơn vị" in html and "31/03/2026" in html
        assert '<tr data-agency="H38.SNV"><td>1</td>' in html and '<tr data-agency="14797"><td>2</td>' in html
        assert '<td class="text-end" data-measure="total">62.53</td>' in html
        rows = list(csv.reader(io.StringIO(client.get(f"/thong-ke/xep-hang.csv?{MARCH}").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
        head = rows[0]
        assert head[:3] == ["Hạng", "Mã đơn vị", "Đơn vị"] and head[-2:] == ["Tổng điểm QĐ766", "Xếp loại"]
        assert [(r[0], r[1], r[-2], r[-1]) for r in rows[1:]] == [("1", "H38.SNV", "62.53", "Trung bình"),
                                                                  ("2", "14797", "58.87", "Trung bình")]
        book = load_workbook(io.BytesIO(client.get(f"/thong-ke/xep-hang.xlsx?{MARCH}").data)).active
        sheet = list(book.iter_rows(values_only=True))
        assert sheet[0][0].startswith("Xếp hạng đơn vị") and sheet[2][:2] == (1, "H38.SNV")
        assert officials.login("tiepnhan").get("/thong-ke/xep-hang").status_code == 403
        assert officials.login("giamsat.tinh").get("/thong-ke/xep-hang.pdf").status_code == 404


def test_the_scorecard_reads_the_summary_not_the_dossiers_of_the_period(client, desk, clock):  # noqa: F811
    """At 1M dossiers a scan of the dossiers received in a year took 1.4 s (issue 16): the received, finished,
    supplement, digitisation and payment figures come from the daily summary; the dossiers are read only where they
    are open now (their index); never the tasks, the event log, the attachments or the payments."""
    from sqlalchemy import event

    _build(desk, clock)
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert _ranking(client)["ranking"]
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert any("FROM stat_daily" in s and "one_supplement" in s and "fee_bearing" in s for s in seen)
    for statement in seen:
        for table in ("human_tasks", "dossier_events", "attachments", "payments"):
            assert table not in statement, statement
        if "FROM dossiers" in statement:  # the open ones only
            assert "dossiers.stat_finished_at IS NULL" in statement and "received_at >=" not in statement, statement


def test_digitised_documents_and_payments_count_once_per_dossier(client, desk, clock):  # noqa: F811
    """Decision 766 digitisation and online payment, by hand: B (counter) has two scanned intake documents and one
    uploaded step file, C (counter) only a step scan; A was paid online after a failed attempt, C has a pending order.
      digitised 1 of the 3 counter dossiers: 22 × 8 × (1/3) / 16 = 3.67 (e-results 0 of 3: 0 points)
      online 22 × (7 × 1 + 8 × 0.25 + 7 × (1/2)) / 22 = 12.5; total 18 + 13.33 + 3.67 + 12.5 + 18 = 65.5."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from app.documents.models import Attachment
    from app.dossiers.models import Dossier
    from app.payments.models import Payment, PaymentStatus

    _build(desk, clock)
    procedure = db.session.scalar(select(Dossier.procedure_id).where(Dossier.channel == "online"))
    a, b, c, _d = db.session.scalars(select(Dossier).where(Dossier.procedure_id == procedure).order_by(Dossier.id))
    for n, (dossier, stage, scanned) in enumerate(((b, "intake", True), (b, "intake", True), (b, "step", False),
                                                  (c, "step", True))):
        db.session.add(Attachment(dossier_id=dossier.id, stage=stage, original_name=f"{n}.pdf", content_hash=f"{n}",
                                  media_type="application/pdf", size=1, is_digitised=scanned))
    due = datetime(2026, 3, 9, tzinfo=UTC)
    for n, (dossier, status) in enumerate(((a, PaymentStatus.FAILED), (a, PaymentStatus.PAID),
                                           (c, PaymentStatus.PENDING))):
        db.session.add(Payment(dossier_id=dossier.id, reference=f"REF{n}", amount_vnd=100000, status=status,
                               expires_at=due + timedelta(days=n)))
    db.session.commit()
    snv = _ranking(client)["ranking"][0]
    groups = {g["key"]: g["points"] for g in snv["decision_766_groups"]}
    assert (groups["digitisation"], groups["online"]) == (3.67, 12.5)
    assert snv["decision_766_total"] == 65.5


def test_cash_at_the_counter_is_not_an_online_payment(client, desk, clock):  # noqa: F811
    """As above, and C's fee is then taken in cash at the counter (confirmed_by counter): still 1 of the 2
    fee-bearing dossiers paid online, so the online group stays 12.5 (it would be 22 × 16 / 22 = 16)."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from app.dossiers.models import Dossier
    from app.payments.models import Payment, PaymentStatus

    _build(desk, clock)
    procedure = db.session.scalar(select(Dossier.procedure_id).where(Dossier.channel == "online"))
    a, _b, c, _d = db.session.scalars(select(Dossier).where(Dossier.procedure_id == procedure).order_by(Dossier.id))
    due = datetime(2026, 3, 9, tzinfo=UTC)
    for n, (dossier, status, by) in enumerate(((a, PaymentStatus.PAID, "notify"), (c, PaymentStatus.PENDING, None),
                                               (c, PaymentStatus.PAID, "counter"))):
        db.session.add(Payment(dossier_id=dossier.id, reference=f"REF{n}", amount_vnd=100000, status=status,
                               confirmed_by=by, expires_at=due + timedelta(days=n)))
    db.session.commit()
    snv = _ranking(client)["ranking"][0]
    assert {g["key"]: g["points"] for g in snv["decision_766_groups"]}["online"] == 12.5
