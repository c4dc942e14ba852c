"""Driving the task forms rendered by the @bpmn-io/form-js viewer."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def form(page: Page):
    page.wait_for_selector("#formjs[data-ready]")
    return page.locator("#formjs")


def choose(page: Page, label: str, option: str) -> None:
    """Pick the option whose label starts with `option` (else contains it: "Đủ điều kiện" must not pick "Không đủ
    điều kiện") and wait until form-js shows it chosen: a click landing while the list re-renders is otherwise lost
    silently, and the form then refuses to submit for a missing required choice (seen in CI)."""
    field = form(page).locator(".fjs-form-field-select", has_text=label)
    display = field.locator(".fjs-select-display")
    items = page.locator(".fjs-dropdownlist-item")
    starting = items.filter(has_text=re.compile(r"^\s*" + re.escape(option)))
    for _attempt in range(3):
        display.click()
        items.first.wait_for()
        (starting if starting.count() else items.filter(has_text=option)).first.click()
        try:
            expect(display).to_contain_text(option, timeout=3_000)
            return
        except AssertionError:
            continue
    expect(display).to_contain_text(option)


def fill(page: Page, label: str, value: str) -> None:
    """Type into a form-js field and wait until form-js holds the value: its text fields pass input on after a
    debounce, and a submit clicked before that (a loaded machine) validated the field as still empty."""
    form(page).get_by_label(re.compile("^" + re.escape(label) + r"\s*\*?$")).fill(value)
    page.wait_for_function("v => Object.values(window.motcuaFormValues ? window.motcuaFormValues() : {})"
                           ".some(x => String(x) === v)", arg=value, timeout=10_000)


def date(page: Page, label: str, ddmmyyyy: str) -> None:
    field = form(page).locator(".fjs-form-field-datetime", has_text=label)
    box = field.locator("input.flatpickr-input")
    box.fill(ddmmyyyy)
    box.press("Enter")


def complete(page: Page) -> None:
    page.locator("#complete-btn").click()  # its label follows the decision ("Trả về bước trước", ...)
    # a completion plus the inbox render can take several seconds on a loaded CI machine (two suites at once)
    try:
        expect(page.locator(".alert-success")).to_contain_text("Đã hoàn thành bước", timeout=20_000)
    except AssertionError as error:  # say why the page stayed: the form's own errors, where it is, a picture
        shot_path = "/tmp/motcua-complete-failed.png"
        page.screenshot(path=shot_path, full_page=True)
        errors = page.locator(".fjs-form-field-error, .motcua-date-error, .invalid-feedback, .alert-danger")
        raise AssertionError(f"{error}\nurl: {page.url}\nform errors: {errors.all_inner_texts()}\n"
                             f"values: {page.evaluate('window.motcuaFormValues ? window.motcuaFormValues() : null')}"
                             f"\nscreenshot: {shot_path}") from error


def claim_from_queue(page: Page, code: str) -> None:
    page.goto("/inbox/?tab=queue")
    page.locator("tr", has_text=code).get_by_role("button", name="Nhận xử lý").click()
    page.wait_for_url(re.compile(r".*/tasks/\d+$"))


def shot(page: Page, name: str) -> None:
    """Save what a test looked at when MOTCUA_SHOTS names a folder (to read the pages as an official would)."""
    import os

    folder = os.environ.get("MOTCUA_SHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)
