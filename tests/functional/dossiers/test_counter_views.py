"""Issue 14.9: the receiving counter's lists (received today, waiting for supplement, ready, returned) with
search by code, name or ID number, and the tracking book (Sổ theo dõi hồ sơ) with a yearly running number."""
from __future__ import annotations

import re

from app.auth.services import get_agency_by_code
from app.dossiers.counter import CounterFilter, counter_dossiers, logbook_rows
from app.dossiers.intake import _search_text
from app.dossiers.models import Dossier, DossierStatus
from app.extensions import db
from tests.functional.ui_world import WORK_PERMIT, official, returned_dossier

BIRTH = "1.001193"


def codes_in(page) -> list[str]:
    return re.findall(r'data-code="([^"]+)"', page.text)


def set_status(dossier: Dossier, status: DossierStatus) -> None:
    dossier.status = status
    db.session.commit()


class TestCounterLists:
    def test_received_today_lists_this_counter_only(self, officials, desk, clock):
        clock("2026-02-27 09:00")
        yesterday = desk.receive(WORK_PERMIT).dossier
        clock("2026-03-02 09:00")
        today = desk.receive(WORK_PERMIT).dossier
        elsewhere = desk.receive(BIRTH, "14797").dossier
        page = officials.login("tiepnhan").get("/counter/dossiers?view=today")
        assert page.status_code == 200
        assert codes_in(page) == [today.code]
        assert yesterday.code not in page.text and elsewhere.code not in page.text

    def test_status_views(self, officials, desk, at_office):
        waiting, ready = desk.receive(WORK_PERMIT).dossier, desk.receive(WORK_PERMIT).dossier
        set_status(waiting, DossierStatus.WAITING_SUPPLEMENT)
        set_status(ready, DossierStatus.RESULT_READY)
        done, _pin = returned_dossier(desk)
        client = officials.login("tiepnhan")
        assert codes_in(client.get("/counter/dossiers?view=supplement")) == [waiting.code]
        assert codes_in(client.get("/counter/dossiers?view=ready")) == [ready.code]
        assert codes_in(client.get("/counter/dossiers?view=returned")) == [done.code]

    def test_search_by_code_name_and_full_id_number_only(self, officials, desk, at_office):
        first, second = desk.receive(WORK_PERMIT).dossier, desk.receive(WORK_PERMIT).dossier
        second.applicant_name, second.applicant_id_number = "Trần Thị Bình", "038190009999"
        second.search_text = _search_text(second)
        db.session.commit()
        client = officials.login("tiepnhan")
        assert codes_in(client.get(f"/counter/dossiers?view=all&q={first.code}")) == [first.code]
        assert codes_in(client.get("/counter/dossiers?view=all&q=tran thi binh")) == [second.code]
        assert codes_in(client.get("/counter/dossiers?view=all&q=038190009999")) == [second.code]
        # a part of an ID number finds nothing: the search answers only for the whole number
        assert codes_in(client.get("/counter/dossiers?view=all&q=0381900")) == []

    def test_id_number_searches_are_rate_limited(self, app, monkeypatch, officials, desk, at_office):
        monkeypatch.setitem(app.config, "COUNTER_ID_SEARCH_LIMIT", "2 per minute")
        client = officials.login("tiepnhan")
        statuses = [client.get(f"/counter/dossiers?q=03809000{n:04d}").status_code for n in range(3)]
        assert statuses == [200, 200, 429]
        assert client.get("/counter/dossiers?q=Nguyen").status_code == 200  # name searches are not counted

    def test_keyset_pagination_newest_first(self, desk, at_office):
        made = [desk.receive(WORK_PERMIT).dossier for _ in range(3)]
        receiver = official("receiver", get_agency_by_code("H38.TTPVHCC").id)
        page = counter_dossiers(receiver, CounterFilter(view="all", limit=2))
        assert [d.code for d in page.rows] == [made[2].code, made[1].code] and page.after
        rest = counter_dossiers(receiver, CounterFilter(view="all", limit=2, after=page.after))
        assert [d.code for d in rest.rows] == [made[0].code] and rest.after is None

    def test_supervisors_and_specialists_have_no_counter_search(self, officials):
        assert officials.login("giamsat.tinh").get("/counter/dossiers?q=038090001234").status_code == 403
        assert officials.login("chuyenvien.snv").get("/counter/dossiers").status_code == 403


class TestTrackingBook:
    def test_running_number_per_agency_and_year(self, desk, clock):
        clock("2025-12-31 09:00")
        last_year = desk.receive(WORK_PERMIT).dossier
        clock("2026-01-05 09:00")
        first, second = desk.receive(WORK_PERMIT).dossier, desk.receive(WORK_PERMIT).dossier
        other = desk.receive(BIRTH, "14797").dossier
        assert (last_year.logbook_number, first.logbook_number, second.logbook_number) == (1, 1, 2)
        assert other.logbook_number == 1
        rows = logbook_rows(get_agency_by_code("H38.TTPVHCC").id, 2026)
        assert [(r.number, r.code) for r in rows] == [(1, first.code), (2, second.code)]
        assert rows[0].procedure and rows[0].applicant == "Nguyễn Văn An" and rows[0].received_at

    def test_book_page_is_printable_with_the_logbook_form_in_force(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        page = officials.login("tiepnhan").get("/counter/book?year=2026")
        assert page.status_code == 200
        assert "SỔ THEO DÕI HỒ SƠ" in page.text
        assert 'id="slip-form">Mẫu số 07 – Thông tư 03/2025/TT-VPCP<' in page.text
        assert re.search(rf'<td class="logbook-number">1</td>\s*<td[^>]*>{re.escape(dossier.code)}</td>', page.text)
        assert "logbook.css" in page.text

    def test_book_of_2025_prints_each_dossier_under_the_logbook_form_of_its_receipt(self, officials, desk, clock):
        clock("2025-03-03 09:00")
        old = desk.receive("1.000105").dossier
        clock("2025-10-01 09:00")
        new = desk.receive(WORK_PERMIT).dossier
        page = officials.login("tiepnhan").get("/counter/book?year=2025").text
        old_at, new_at = page.index(old.code), page.index(new.code)
        assert page.index("Mẫu số 06 – Thông tư 01/2018/TT-VPCP") < old_at < \
            page.index("Mẫu số 07 – Thông tư 03/2025/TT-VPCP") < new_at

    def test_book_of_another_agency_is_not_shown(self, officials, desk, at_office):
        elsewhere = desk.receive(BIRTH, "14797").dossier
        page = officials.login("tiepnhan").get("/counter/book?year=2026")
        assert elsewhere.code not in page.text
