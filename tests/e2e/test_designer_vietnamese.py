"""Browser: every label, menu entry and tooltip of the BPMN editor's properties panel and menus is Vietnamese."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

TEXTS = """() => {
  const out = new Set();
  for (const panel of document.querySelectorAll('.bio-properties-panel, .djs-popup, .djs-palette, .djs-context-pad')) {
    const walker = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) { const t = walker.currentNode.nodeValue.trim(); if (t) { out.add(t); } }
    panel.querySelectorAll('[title],[placeholder],[aria-label]').forEach((el) => {
      ['title', 'placeholder', 'aria-label'].forEach((a) => { const v = el.getAttribute(a); if (v) { out.add(v); } });
    });
  }
  return [...out];
}"""

ADD_ELEMENTS = """() => {
  const m = window.motcuaModeler, registry = m.get('elementRegistry'), modeling = m.get('modeling');
  const pool = registry.get('Participant_work_permit');
  const y = pool.y + pool.height - 40;
  const script = modeling.createShape({ type: 'bpmn:ScriptTask' }, { x: pool.x + 300, y }, pool);
  const rule = modeling.createShape({ type: 'bpmn:BusinessRuleTask' }, { x: pool.x + 450, y }, pool);
  return [script.id, rule.id];
}"""

# Words without Vietnamese letters that are Vietnamese or data, not English left over.
NOT_ENGLISH = {"Chung", "FEEL", "—"}
VIETNAMESE = re.compile(r"[à-ỹÀ-ỸđĐ]")


def _open_all_groups(page):
    for header in page.locator(".bio-properties-panel-group-header").all():
        if "open" not in (header.get_attribute("class") or ""):
            header.click()


def test_properties_panel_menus_and_tooltips_are_vietnamese(sessions):
    page = sessions("designer").page
    page.goto("/designer/models/work_permit/edit")
    page.wait_for_function("() => window.motcuaModeler && window.motcuaModeler.get('elementRegistry').getAll().length")
    data_words = set(page.evaluate(
        "() => window.motcuaModeler.get('elementRegistry').getAll().flatMap((e) => "
        "[e.id, e.businessObject.name, ...(e.businessObject.eventDefinitions || []).map((d) => "
        "(d.messageRef || {}).name)]).filter(Boolean)"))
    page.evaluate(ADD_ELEMENTS)
    found, types = set(), set()
    for element_id in page.evaluate("() => window.motcuaModeler.get('elementRegistry').getAll().map((e) => e.id)"):
        kind = page.evaluate("(id) => window.motcuaModeler.get('elementRegistry').get(id).type", element_id)
        if kind in types or kind == "label":
            continue
        types.add(kind)
        page.evaluate("(id) => { const m = window.motcuaModeler; "
                      "m.get('selection').select(m.get('elementRegistry').get(id)); }", element_id)
        page.wait_for_selector(".bio-properties-panel-group-header")
        _open_all_groups(page)
        found |= set(page.evaluate(TEXTS))
        replace = page.locator(".djs-context-pad [data-action='replace']")
        if replace.count():
            replace.click()
            page.wait_for_selector(".djs-popup")
            found |= set(page.evaluate(TEXTS))
            page.keyboard.press("Escape")
    assert {"bpmn:UserTask", "bpmn:ScriptTask", "bpmn:BusinessRuleTask", "bpmn:Lane", "bpmn:SequenceFlow"} <= types
    english = sorted(t for t in found - NOT_ENGLISH - data_words if not VIETNAMESE.search(t) and re.search("[a-z]", t))
    assert not english, english
    assert "Công việc của người" in found and "Tiếp nhận (intake)" in found
