"""Browser: the designer simulates the work permit's deadlines for a receipt just before Tết 2026."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.calendar import services as calendar
from app.catalog.models import Procedure
from app.core.timefmt import LOCAL_TZ, format_datetime
from app.dossiers.deadlines import legal_due
from app.extensions import db

pytestmark = pytest.mark.browser

RECEIVED = datetime(2026, 2, 12, 9, 0, tzinfo=LOCAL_TZ)  # Thursday; Tết (17/02/2026) holidays follow


def test_simulator_walks_every_path_across_tet_and_shows_the_receipt_appointment(sessions):
    procedure = db.session.query(Procedure).filter_by(code="1.014199").one()
    expected = format_datetime(legal_due(procedure, None, RECEIVED))
    tet = calendar.get_calendar(None)
    assert not tet.is_working_day(datetime(2026, 2, 17).date())  # the real holiday calendar, not a fixture
    db.session.remove()
    page = sessions("designer").page
    page.goto("/designer/models/work_permit/edit")
    page.get_by_role("link", name="Mô phỏng thời hạn").click()
    page.get_by_label("Ngày giờ tiếp nhận (dd/mm/yyyy HH:MM)").fill("12/02/2026 09:00")
    page.get_by_role("button", name="Mô phỏng").click()
    assert page.locator("#sim-appointment strong").inner_text() == expected
    paths = page.locator("table.sim-path")
    assert paths.count() >= 2  # approve and refuse / supplement branches
    main = page.locator("table.sim-path", has=page.locator("tr[data-element='return_result']")).first
    rows = main.locator("tbody tr")
    starts, dues = rows.locator("td.start").all_inner_texts(), rows.locator("td.due").all_inner_texts()
    assert starts[1:] == dues[:-1]  # each step starts when the previous one is due
    assert not any(text.startswith(("14/02/2026", "15/02/2026", "17/02/2026", "18/02/2026")) for text in dues)
    assert main.get_attribute("data-over") == "0"
    assert dues[-1] == expected == "05/03/2026 09:00"  # 10 working days, the Tết week not counted
