"""Issue 16: the early warning in the inbox (a badge per task) and on the dashboard (the dossiers at risk).

A work permit received Mon 02/03/2026 09:00 is due Mon 16/03 09:00: 80 working hours. Its appraisal (Department
of Home Affairs) has a fitted history of 121 dossiers whose remaining time D was 0, 1, ... 120 hours. Seen on Mon
09/03 09:00, 40 working hours into the step: P(late) = S(80) / S(40) = (40/120·121 + 0.5) / (80/120·121 + 0.5)
= 0.503 -> 50 %, a medium risk.
"""
from __future__ import annotations

from datetime import UTC, datetime

from app.auth.services import get_agency_by_code
from app.extensions import db
from app.reports import warning
from app.reports.models import StatOutlook
from tests.functional.ui_world import clock, desk, officials, world  # noqa: F401

PERMIT = "1.014199"


def _fitted(dossier):
    db.session.add(StatOutlook(process_version_id=dossier.process_version_id, bpmn_id="appraisal",
                               agency_id=get_agency_by_code("H38.SNV").id, samples=121,
                               quantiles=warning.quantiles([float(h) for h in range(121)]),
                               fitted_at=datetime(2026, 3, 1, tzinfo=UTC)))
    db.session.commit()


def test_inbox_badge_and_dashboard_list(desk, officials, clock):  # noqa: F811
    clock("2026-03-02 09:00")
    dossier = desk.receive(PERMIT).dossier
    other = desk.receive(PERMIT).dossier
    _fitted(dossier)
    clock("2026-03-09 09:00")
    client = officials.login("chuyenvien.snv")
    html = client.get("/inbox/?tab=queue").get_data(as_text=True)
    assert html.count('data-late-risk="50"') == 2 and "Nguy cơ trễ 50%" in html
    board = officials.login("lanhdao.snv").get("/thong-ke/?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    section = board.split('id="stats-at-risk"', 1)[1].split("</section>", 1)[0]
    assert f'data-code="{dossier.code}"' in section and f'data-code="{other.code}"' in section
    assert '<td class="text-end" data-late-risk="50">50 %</td>' in section
    # a commune leader sees none of them; past the due date the dossier is overdue, not "at risk"
    assert dossier.code not in officials.login("lanhdao.hacthanh").get("/thong-ke/").get_data(as_text=True)
    clock("2026-03-16 10:00")
    html = officials.login("chuyenvien.snv").get("/inbox/?tab=queue").get_data(as_text=True)
    assert html.count('data-late-risk="100"') == 2
    board = officials.login("lanhdao.snv").get("/thong-ke/?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert dossier.code not in board.split('id="stats-at-risk"', 1)[1].split("</section>", 1)[0]


def test_no_history_no_badge(desk, officials, clock):  # noqa: F811
    clock("2026-03-02 09:00")
    desk.receive(PERMIT)
    clock("2026-03-09 09:00")
    html = officials.login("chuyenvien.snv").get("/inbox/?tab=queue").get_data(as_text=True)
    assert "data-late-risk" not in html
