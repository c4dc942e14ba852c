"""Inbox in a real browser: sorting by a column header keeps the order in the URL; the 'Đã xử lý' tab."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import shot
from tests.functional.ui_world import WORK_PERMIT

pytestmark = pytest.mark.browser


def test_sorting_by_code_and_the_done_tab(sessions, desk):
    codes = [desk.receive(WORK_PERMIT).dossier.code for _ in range(3)]
    desk.complete(desk.receive(WORK_PERMIT).dossier, "appraisal")
    specialist = sessions("chuyenvien.snv").page
    specialist.goto("/inbox/?tab=queue")
    header = specialist.locator("th[data-sort=code]")
    header.get_by_role("link").click()
    expect(specialist).to_have_url(re.compile(r"sort=code"))
    expect(header).to_have_attribute("aria-sort", "ascending")
    first = specialist.locator("tbody tr td:first-child a")
    expect(first).to_have_text(sorted(codes))
    header.get_by_role("link").click()
    expect(specialist).to_have_url(re.compile(r"sort=-code"))
    expect(first).to_have_text(sorted(codes, reverse=True))
    specialist.get_by_label("Bước").select_option("appraisal")
    specialist.get_by_role("button", name="Lọc", exact=True).click()
    expect(specialist).to_have_url(re.compile(r"sort=-code"))  # filtering keeps the order
    expect(first).to_have_text(sorted(codes, reverse=True))
    shot(specialist, "inbox_sorted")

    specialist.get_by_role("link", name="Đã xử lý").click()
    expect(specialist.locator("th[data-sort=completed]")).to_have_attribute("aria-sort", "descending")
    expect(specialist.locator("tbody tr")).to_have_count(1)
    expect(specialist.locator("tbody tr")).to_contain_text("Thẩm định")
    shot(specialist, "inbox_done")
