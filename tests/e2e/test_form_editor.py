"""Browser: the form-js editor speaks Vietnamese (palette and properties panel) and saves what the designer typed."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

ENGLISH = ["Components", "Search components", "Text field", "Text area", "Checkbox", "Radio group", "Input",
           "Selection", "Presentation", "General", "Field label", "Key", "Validation", "Required", "Appearance",
           "Maximum length", "Condition", "Layout", "Custom properties"]
VIETNAMESE = ["Thành phần", "Ô văn bản", "Nhập liệu", "Chung", "Nhãn trường", "Khoá dữ liệu", "Kiểm tra dữ liệu",
              "Bắt buộc"]

PANEL_TEXTS = """() => {
  const out = [];
  for (const panel of document.querySelectorAll('.fjs-palette-container, .fjs-editor-properties-container')) {
    const walker = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) { const t = walker.currentNode.nodeValue.trim(); if (t) { out.push(t); } }
    panel.querySelectorAll('[placeholder],[title]').forEach((el) => {
      out.push(el.getAttribute('placeholder') || ''); out.push(el.getAttribute('title') || ''); });
  }
  return out;
}"""


def test_form_editor_palette_and_properties_are_vietnamese_and_typed_labels_are_kept(sessions, live_server):
    page = sessions("designer").page
    page.goto("/designer/forms/work_permit/intake/edit")
    page.wait_for_selector("body[data-form-ready='true']")
    page.locator(".fjs-editor-container .fjs-form-field-textfield").first.click()
    page.wait_for_selector(".fjs-editor-properties-container .bio-properties-panel-group")
    for header in page.locator(".fjs-editor-properties-container .bio-properties-panel-group-header").all():
        if "open" not in (header.get_attribute("class") or ""):
            header.click()
    texts = page.evaluate(PANEL_TEXTS)
    assert not set(ENGLISH) & set(texts), sorted(set(ENGLISH) & set(texts))
    assert set(VIETNAMESE) <= set(texts), sorted(set(VIETNAMESE) - set(texts))

    # A label the designer types is saved as typed, even when it is one of the editor's English words.
    label = page.locator("#bio-properties-panel-label")
    label.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("Email")
    page.keyboard.press("Tab")
    header = page.locator(".fjs-editor-properties-container .bio-properties-panel-header-label")
    page.wait_for_function("() => document.querySelector('.fjs-editor-properties-container "
                           ".bio-properties-panel-header-label').textContent === 'Email'")
    saved = page.evaluate("() => window.motcuaFormEditor.saveSchema()")
    assert "Email" in json.dumps(saved, ensure_ascii=False)
    assert header.inner_text() == "Email"
    preview = page.locator("#form-preview").inner_text()
    assert "— chọn —" in preview and "Select" not in preview
    # The palette is not cut off on a 1366 px screen (the editor needs ~1,060 px beside nothing else).
    editor = page.evaluate("() => { const e = document.querySelector('#form-editor'); "
                           "return [e.scrollLeft, e.scrollWidth - e.clientWidth]; }")
    assert editor == [0, 0], editor
