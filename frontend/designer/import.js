// Import report beside the converted diagram: blockers are marked on the canvas; clicking a finding
// highlights and centres its element. Diagrams exported without layout (no BPMNDiagram) are laid out
// automatically first (bpmn-auto-layout, then pools and lanes: layout.js).
import { layoutDiagram } from './layout.js';

(async function () {
  "use strict";
  var container = document.getElementById("import-diagram");
  if (!container || typeof window.BpmnJS === "undefined") { return; }
  var xml = JSON.parse(document.getElementById("import-xml").textContent);
  if (!/BPMNDiagram[\s>]/.test(xml)) {
    try {
      xml = await layoutDiagram(xml);
      container.setAttribute("data-auto-layout", "1");
    } catch (error) {
      container.setAttribute("data-layout-error", String(error));
    }
  }
  var blockers = JSON.parse(document.getElementById("import-blockers").textContent || "[]");
  var viewer = new window.BpmnJS({ container: container });
  viewer.importXML(xml).then(function () {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    canvas.zoom("fit-viewport", "auto");
    blockers.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "late"); } });
    var focused = null;
    function focus(item) {
      var id = item.getAttribute("data-element");
      var element = registry.get(id);
      if (focused && registry.get(focused)) { canvas.removeMarker(focused, "current"); }
      document.querySelectorAll("#conversion-report .active").forEach(function (li) { li.classList.remove("active"); });
      item.classList.add("active");
      if (!element) { return; }
      canvas.addMarker(id, "current");
      canvas.scrollToElement(element);
      focused = id;
      container.setAttribute("data-focused", id);
    }
    document.querySelectorAll("#conversion-report [data-element]").forEach(function (item) {
      item.addEventListener("click", function () { focus(item); });
      item.addEventListener("keydown", function (event) { if (event.key === "Enter") { focus(item); } });
    });
    container.setAttribute("data-rendered", "1");
  }).catch(function (error) {
    container.setAttribute("data-error", String(error));
    container.textContent = container.getAttribute("data-error-text") || "⚠";
  });
})();
