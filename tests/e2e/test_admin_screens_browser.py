"""Admin screens (issue 14.10): one "Quản trị" menu, compact tables, the bell as an inline SVG."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import shot

pytestmark = pytest.mark.browser


def _at_1280(session):
    session.page.set_viewport_size({"width": 1280, "height": 800})
    return session.page


@pytest.mark.parametrize("path", ["/admin/users", "/admin/agencies", "/catalog/"])
def test_admin_tables_are_compact_and_do_not_wrap_codes(sessions, path):
    page = _at_1280(sessions("admin"))
    page.goto(path)
    table = page.locator("main table").first
    expect(table).to_have_class("table table-sm table-hover align-middle admin-table")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 1500, f"{path}: {height}px at 1280 wide"
    width = page.evaluate("[document.documentElement.scrollWidth, document.querySelector('main table').scrollWidth]")
    assert max(width) <= 1280, f"{path}: {width}px wide"  # no sideways scrolling either
    # short codes stay on one line; long text is cut with its full value in the title
    for cell in table.locator("td.text-nowrap").all()[:20]:
        assert cell.evaluate("c => c.getClientRects().length <= 1 && c.scrollHeight < 40"), cell.inner_text()
    for cell in table.locator("td .text-truncate[title]").all()[:20]:
        assert cell.get_attribute("title").strip().startswith(cell.inner_text().strip().rstrip("…")[:10])
    shot(page, "admin" + path.replace("/", "_").rstrip("_"))


def test_the_admin_pages_are_in_one_quan_tri_menu(sessions):
    page = _at_1280(sessions("admin"))
    page.goto("/")
    nav = page.locator("nav.navbar")
    expect(nav.locator("#admin-menu > a")).to_have_text("Quản trị")
    for label in ("Người dùng", "Đơn vị", "Danh mục thủ tục", "Mẫu tin nhắn", "Tác vụ nền", "Nhật ký đăng nhập"):
        expect(nav.locator("#admin-menu .dropdown-item", has_text=label)).to_be_hidden()
    nav.locator("#admin-menu > a").click()
    for label in ("Người dùng", "Đơn vị", "Danh mục thủ tục", "Mẫu tin nhắn", "Tác vụ nền", "Nhật ký đăng nhập"):
        expect(nav.locator("#admin-menu .dropdown-item", has_text=label)).to_be_visible()
    nav_height = nav.evaluate("n => n.getBoundingClientRect().height")
    assert nav_height < 70, f"the bar wraps: {nav_height}px"
    nav.locator("#admin-menu .dropdown-item", has_text="Tác vụ nền").click()
    page.wait_for_url("**/admin/background**")
    shot(page, "admin_menu")


def test_officials_do_not_see_the_admin_menu(sessions):
    page = _at_1280(sessions("tiepnhan"))
    page.goto("/")
    expect(page.locator("#admin-menu")).to_have_count(0)
    expect(page.locator("nav.navbar")).not_to_contain_text("Quản trị")


def test_the_bell_is_an_inline_svg_with_its_unread_badge(sessions, world_loaded):
    from sqlalchemy import select

    from app.auth.models import User
    from app.extensions import db
    from app.notify.notices import notify_official

    admin = db.session.scalar(select(User).where(User.username == "admin"))
    notify_official(admin.id, "assigned", {"code": "000.00.00.H00-260302-0001", "step": "Thẩm định"})
    db.session.commit()
    page = _at_1280(sessions("admin"))
    page.goto("/")
    bell = page.locator("#notice-bell")
    expect(bell.locator("svg.notice-bell-icon")).to_be_visible()
    box = None
    for _attempt in range(50):  # htmx polling re-renders the bell: a swap in progress has no box for a moment
        box = bell.locator("svg").bounding_box()
        if box is not None:
            break
        page.wait_for_timeout(100)
    assert box is not None and 12 <= box["width"] <= 24 and 12 <= box["height"] <= 24
    assert "\U0001F514" not in bell.inner_text()  # no emoji or font glyph left
    expect(bell.locator("[data-unread]")).to_have_attribute("data-unread", "1")
    expect(bell.locator(".badge")).to_contain_text("1")
    expect(bell).to_contain_text("Thông báo")  # the visually hidden label for screen readers


def test_the_leaders_team_tab_keeps_one_line_a_row(sessions, desk):
    """Issue 14: the team table wrapped into 3,477 px for 16 rows; at 1280 wide it now fits, one line a row."""
    from tests.functional.ui_world import WORK_PERMIT, reach

    dossiers = [desk.receive(WORK_PERMIT).dossier for _ in range(16)]
    for dossier in dossiers[:3]:
        reach(desk, dossier, "approval")  # the leader may take these: both buttons in the row
    codes = [d.code for d in dossiers]
    page = _at_1280(sessions("lanhdao.snv"))
    page.goto("/inbox/?tab=team")
    rows = page.locator("table.inbox-table tbody tr")
    expect(rows).to_have_count(16)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 1500, f"team tab: {height}px for 16 rows"
    heights = [r.bounding_box()["height"] for r in rows.all()]
    assert max(heights) < 1.6 * min(heights), heights  # no row wraps into several lines
    fits = page.evaluate("() => { const w = document.querySelector('main .table-responsive'); "
                         "return [w.scrollWidth, w.clientWidth, document.documentElement.scrollWidth]; }")
    assert fits[0] <= fits[1] and fits[2] <= 1280, f"sideways scrolling: {fits}"
    name = rows.first.locator("td:nth-child(2)")
    assert name.get_attribute("title").startswith("Cấp giấy phép lao động")  # the full name stays in the title
    for code in codes[:3]:
        row = rows.filter(has_text=code)
        for action in (row.get_by_role("button", name="Nhận xử lý"), row.get_by_role("link", name="Phân công")):
            box = action.bounding_box()
            assert box["x"] + box["width"] <= 1280, f"{code}: an action is cut off at the right"
    shot(page, "inbox_team")
