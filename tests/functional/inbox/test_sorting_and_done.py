"""The 'Đã xử lý' tab and sortable columns: the order lives in the URL and keyset pages follow it."""
from __future__ import annotations

import html
import re

from app.extensions import db
from app.inbox.models import SavedView
from tests.functional.ui_world import WORK_PERMIT


def _codes(page: str, codes: list[str]) -> list[str]:
    """The dossier codes in the order the table shows them."""
    return [c for c in re.findall(r'<td class="text-nowrap"><a href="/dossiers/([^"]+)">', page) if c in codes]


def _walk(client, url: str, codes: list[str]) -> list[str]:
    """Follow 'Xem thêm' to the end; return every code in page order."""
    seen = []
    for _ in range(10):
        page = client.get(url).text
        seen += _codes(page, codes)
        more = re.search(r'href="([^"]*after=[^"]+)"[^>]*>Xem thêm', page)
        if not more:
            return seen
        url = html.unescape(more.group(1))
    raise AssertionError("pagination did not end")


class TestSorting:
    def test_clicking_a_column_sorts_by_it_and_again_reverses(self, officials, desk, at_office):
        codes = [desk.receive(WORK_PERMIT).dossier.code for _ in range(3)]
        client = officials.login("chuyenvien.snv")
        page = client.get("/inbox/?tab=queue").text
        link = html.unescape(re.search(r'data-sort="code"><a class="sort-link" href="([^"]+)"', page).group(1))
        assert "sort=code" in link and "tab=queue" in link
        ascending = client.get(link).text
        assert _codes(ascending, codes) == sorted(codes)
        assert 'aria-sort="ascending" data-sort="code"' in ascending
        back = html.unescape(re.search(r'data-sort="code"><a class="sort-link" href="([^"]+)"', ascending).group(1))
        assert "sort=-code" in back
        descending = client.get(back).text
        assert _codes(descending, codes) == sorted(codes, reverse=True)
        assert 'aria-sort="descending" data-sort="code"' in descending

    def test_keyset_pages_follow_the_chosen_order(self, app, officials, desk, at_office, monkeypatch):
        codes = [desk.receive(WORK_PERMIT).dossier.code for _ in range(5)]
        monkeypatch.setitem(app.config, "INBOX_PAGE_SIZE", 2)
        client = officials.login("chuyenvien.snv")
        assert _walk(client, "/inbox/?tab=queue&sort=-code", codes) == sorted(codes, reverse=True)
        assert _walk(client, "/inbox/?tab=queue&sort=code", codes) == sorted(codes)
        # received at the same instant: the task id breaks the tie, nothing shown twice or lost
        by_received = _walk(client, "/inbox/?tab=queue&sort=-received", codes)
        assert sorted(by_received) == sorted(codes) and len(by_received) == 5

    def test_filters_keep_the_order_and_a_saved_view_remembers_it(self, officials, desk, at_office):
        desk.receive(WORK_PERMIT)
        client = officials.login("chuyenvien.snv")
        page = client.get("/inbox/?tab=queue&sort=-deadline&step=appraisal").text
        assert '<input type="hidden" name="sort" value="-deadline">' in page
        client.post("/inbox/views", data={"name": "Hạn trả muộn nhất", "query": "tab=queue&sort=-deadline"})
        assert "sort=-deadline" in db.session.query(SavedView).one().query

    def test_an_unknown_column_or_a_foreign_cursor_falls_back_quietly(self, officials, desk, at_office):
        code = desk.receive(WORK_PERMIT).dossier.code
        client = officials.login("chuyenvien.snv")
        assert code in client.get("/inbox/?tab=queue&sort=password").text
        assert code in client.get("/inbox/?tab=queue&sort=code&after=d20260302T020000000000_1").text
        assert client.get("/inbox/?tab=queue&sort=due&after=sAAAA_x").status_code == 200


class TestDoneTab:
    def test_done_lists_what_i_completed_newest_first_with_its_timing(self, officials, desk, clock):
        clock("2026-03-02 09:00")
        first = desk.receive(WORK_PERMIT).dossier
        second = desk.receive(WORK_PERMIT).dossier
        desk.complete(first, "appraisal")
        clock("2026-03-02 10:00")
        desk.complete(second, "appraisal")
        page = officials.login("chuyenvien.snv").get("/inbox/?tab=done").text
        assert _codes(page, [first.code, second.code]) == [second.code, first.code]
        assert "Trước hạn" in page or "Đúng hạn" in page
        assert 'aria-current="page"' in page and "Đã xử lý" in page
        assert "Nhận xử lý" not in page  # nothing to claim there
        oldest = officials.login("chuyenvien.snv").get("/inbox/?tab=done&sort=completed").text
        assert _codes(oldest, [first.code, second.code]) == [first.code, second.code]

    def test_done_shows_only_my_own_completions(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        desk.complete(dossier, "appraisal")
        assert dossier.code not in officials.login("lanhdao.snv").get("/inbox/?tab=done").text
        assert dossier.code not in officials.login("chuyenvien.snv").get("/inbox/?tab=queue").text

    def test_done_tab_uses_a_bounded_number_of_queries(self, officials, desk, at_office, count_queries):
        def completed(n):
            for _ in range(n):
                desk.complete(desk.receive(WORK_PERMIT).dossier, "appraisal")

        completed(2)
        client = officials.login("chuyenvien.snv")
        client.get("/inbox/?tab=done")
        before = count_queries.count
        client.get("/inbox/?tab=done")
        few = count_queries.count - before
        completed(4)
        before = count_queries.count
        client.get("/inbox/?tab=done")
        assert count_queries.count - before == few, "queries grow with the rows (N+1)"
        assert few <= 15, count_queries.statements[before:]
