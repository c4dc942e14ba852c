"""Browser: a designer edits the fee table in dmn-js, is stopped by server validation, deploys v2 and tries it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.workflow.models import DecisionVersion

pytestmark = pytest.mark.browser


def edit_cell(page, entry_id: str, text: str) -> None:
    cell = page.locator(f"#decision-canvas td[data-element-id='{entry_id}'] [contenteditable]")
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.locator("#decision-comment").click()  # leave the cell so dmn-js commits the edit


def test_designer_changes_a_fee_cell_deploys_version_2_and_tries_it(sessions):
    page = sessions("designer").page
    page.goto("/designer/decisions")
    page.locator("section[data-decision-key='construction_fee']").get_by_role("link", name="Mở trình soạn thảo").click()
    page.wait_for_selector("body[data-decision-ready='true']")
    assert page.locator("#decision-canvas td[data-element-id='rule_urban_small_fee']").inner_text().strip() == "75000"

    edit_cell(page, "rule_urban_small_fee", "75 000")
    page.get_by_role("button", name="Lưu bản nháp").click()
    issue = page.locator("#decision-issues li[data-element-id='rule_urban_small_fee']")
    issue.wait_for()
    assert "rule_urban_small_fee" in issue.inner_text()
    assert page.locator("#decision-canvas td.decision-issue-cell[data-element-id='rule_urban_small_fee']").count() == 1

    edit_cell(page, "rule_urban_small_fee", "80000")
    page.get_by_label("Ghi chú thay đổi").fill("Điều chỉnh lệ phí nhà ở đô thị dưới 100 m²")
    page.get_by_role("button", name="Triển khai").click()
    page.wait_for_selector("#decision-status:has-text('Đã triển khai v2')")
    assert page.locator("#decision-issues li").count() == 0

    v2 = db.session.scalar(select(DecisionVersion).where(DecisionVersion.decision_key == "construction_fee",
                                                         DecisionVersion.number == 2))
    assert v2.status == "published" and "<text>80000</text>" in v2.xml
    db.session.remove()

    page.goto("/designer/decisions")
    row = page.locator("section[data-decision-key='construction_fee'] tr[data-version='2']")
    assert row.get_attribute("data-status") == "published"
    assert "Điều chỉnh lệ phí" in row.inner_text()

    row.get_by_role("link", name="Mở", exact=True).click()
    page.wait_for_selector("body[data-decision-ready='true']")
    page.get_by_label("Tổng diện tích sàn (m²)").fill("99,5")
    page.get_by_label("Khu vực (do_thi: đô thị / nong_thon: nông thôn)").fill("do_thi")
    page.get_by_role("button", name="Tính").click()
    assert page.locator(".decision-output[data-output='fee_vnd']").inner_text() == "80000"
