"""Take the README screenshots with Debian's chromium: inbox, task, dossier, case panel, return step, citizen lookup.

Usage: python tools/screenshots.py [--url http://127.0.0.1:5000] [--out docs/screenshots]
Without --url the app is started on a fresh SQLite database loaded with the demo data (`flask demo load`).
The script receives one dossier at the counter through the UI (to learn its PIN) and changes nothing else.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "motcua-demo"  # noqa: S105 - the published demo credential
SAMPLE = {"f.passport_number": "C7654321", "f.employer_tax_code": "2801234567", "f.worker_full_name": "John Smith",
          "f.nationality": "Vương quốc Anh", "f.worker_date_of_birth": "1980-01-15",
          "f.employer_name": "Công ty TNHH Nghi Sơn",
          "f.employer_address": "Khu kinh tế Nghi Sơn, Thanh Hóa", "f.demand_approval_number": "15/UBND-VX",
          "f.job_title": "Kỹ sư trưởng", "f.work_location": "Khu kinh tế Nghi Sơn", "f.work_start": "2026-12-15",
          "f.work_end": "2027-12-14"}


def start_demo_server() -> str:
    """Migrate a scratch database, load the demo data and serve it from a thread; return the base URL."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from app import MIGRATIONS_DIR, create_app
    from app.core.db import unit_of_work
    from app.demo.services import load_demo

    db_path = Path(tempfile.mkdtemp(prefix="motcua-shots-")) / "demo.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR), revision="heads")
        with unit_of_work():
            load_demo()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def login(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/")


def receive_at_counter(page) -> tuple[str, str]:
    """Take a work-permit dossier at the counter with plausible data; return (code, PIN) from the receipt."""
    login(page, "tiepnhan")
    page.goto("/counter/intake/1.014199")
    for box in page.locator('input[name="documents"]').all():
        box.check()
    page.get_by_label("Họ và tên người nộp / tên tổ chức").fill("Nguyễn Thị Bình")
    page.get_by_label("Số định danh cá nhân (12 chữ số)").fill("038190004321")
    page.get_by_label("Số điện thoại", exact=True).fill("0987654321")
    page.get_by_label("Địa chỉ", exact=True).fill("Phường Hạc Thành, Thanh Hóa")
    for field in page.locator('input[name^="f."]').all():
        kind, name = field.get_attribute("type"), field.get_attribute("name")
        field.fill(SAMPLE.get(name) or {"date": "2026-12-01", "number": "1"}.get(kind, "Công ty TNHH Nghi Sơn"))
    for select in page.locator('select[name^="f."]').all():
        select.select_option(index=1)
    page.get_by_role("button", name="Tiếp nhận và in phiếu hẹn").click()
    if page.locator("#duplicate-warning").count():  # the demo already holds this applicant's dossier today
        page.get_by_label("Đây là hồ sơ mới, khác hồ sơ trên: vẫn tiếp nhận").check()
        page.get_by_role("button", name="Tiếp nhận và in phiếu hẹn").click()
    if page.locator(".invalid-feedback").count():
        raise SystemExit("intake refused: " + "; ".join(page.locator(".invalid-feedback").all_inner_texts()))
    try:
        page.wait_for_selector("#receipt-pin", timeout=8000)
    except Exception:
        print(page.url, page.locator(".alert").all_inner_texts(), page.locator("main").inner_text()[:300])
        raise
    return page.locator("#receipt-code").inner_text(), page.locator("#receipt-pin").inner_text()


def shoot(base_url: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        new_page = lambda **kw: browser.new_context(base_url=base_url, **kw).new_page()  # noqa: E731
        code, pin = receive_at_counter(new_page(viewport={"width": 1366, "height": 768}))

        page = new_page(viewport={"width": 1366, "height": 768})
        login(page, "chuyenvien.snv")
        page.goto("/inbox/?tab=queue")
        shots.append(_save(page, out / "inbox.png"))
        href = page.locator("tr", has_text=code).locator("a").first.get_attribute("href")
        task_id = re.search(r"\d+", page.locator("tr", has_text=code).get_attribute("data-task-id")).group(0)
        page.goto(f"/tasks/{task_id}")
        page.wait_for_selector("#formjs[data-ready]")
        shots.append(_save(page, out / "task.png"))
        page.goto(href)
        page.wait_for_selector("#diagram[data-rendered]")
        page.evaluate("() => window.scrollBy(0, document.getElementById('diagram-title')"
                      ".getBoundingClientRect().top - 8)")  # the diagram, below the case panel
        shots.append(_save(page, out / "dossier.png"))

        shots.append(case_panel(new_page(viewport={"width": 1366, "height": 900}), out / "case_panel.png"))
        shots.append(return_step(new_page(viewport={"width": 1366, "height": 900}), out / "return_step.png"))

        citizen = new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        citizen.goto(f"/tra-cuu?code={code}&pin={pin}")
        shots.append(_save(citizen, out / "citizen_lookup.png", full_page=True))
        browser.close()
    return shots


def case_panel(page, path: Path) -> Path:
    """The leader's task page of a demo dossier waiting for approval: the previous step and the whole case."""
    login(page, "lanhdao.snv")
    page.goto("/inbox/?tab=queue&step=approval")
    task_id = page.locator("tr[data-task-id]").first.get_attribute("data-task-id")
    page.goto(f"/tasks/{task_id}")
    page.wait_for_selector("#formjs[data-ready]")
    page.screenshot(path=str(path), full_page=True)
    return path


def return_step(page, path: Path) -> Path:
    """The leader's decision "trả về bước trước": the one reason box and the button naming the action. The reason
    is left empty so the browser refuses it in place and nothing is sent (the demo data stays as it was)."""
    login(page, "lanhdao.snv")
    page.goto("/inbox/?tab=queue&step=approval")
    task_id = page.locator("tr[data-task-id]").first.get_attribute("data-task-id")
    page.goto(f"/tasks/{task_id}")
    page.wait_for_selector("#formjs[data-ready]")
    field = page.locator("#formjs .fjs-form-field-select", has_text="Ý kiến phê duyệt")
    field.locator(".fjs-select-display").click()
    page.locator(".fjs-dropdownlist-item", has_text="trả về bước trước").first.click()
    if page.locator("#complete-btn").count():
        page.locator("#complete-btn").click()
        page.wait_for_selector("#formjs .fjs-form-field-error")
    page.screenshot(path=str(path), full_page=True)
    return path


def _save(page, path: Path, full_page: bool = False) -> Path:
    page.screenshot(path=str(path), full_page=full_page)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="use a running Motcua with the demo data instead of starting one")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    base_url = args.url.rstrip("/") if args.url else start_demo_server()
    for path in shoot(base_url, Path(args.out)):
        print(path)


if __name__ == "__main__":
    main()
