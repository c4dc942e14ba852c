// The process heatmap: the version's diagram in the bpmn-js viewer, each step coloured by its p95 duration
// against its legal time, with an overlay giving median / p95 hours, late and supplement rates.
(function () {
  "use strict";
  var container = document.getElementById("heatmap");
  if (!container || typeof window.BpmnJS === "undefined") { return; }
  var xml = JSON.parse(document.getElementById("heatmap-xml").textContent);
  var figures = JSON.parse(document.getElementById("heatmap-overlays").textContent || "{}");
  var colours = { green: "#d1e7dd", amber: "#fff3cd", red: "#f8d7da", grey: "#e9ecef" };
  var strokes = { green: "#198754", amber: "#b58105", red: "#dc3545", grey: "#6c757d" };
  var viewer = new window.BpmnJS({ container: container });
  function pct(x) { return x === null || x === undefined ? "—" : (Math.round(x * 1000) / 10) + "%"; }
  viewer.importXML(xml).then(function () {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    canvas.zoom("fit-viewport", "auto");
    Object.keys(figures).forEach(function (id) {
      var element = registry.get(id);
      if (!element) { return; }
      var f = figures[id];
      var gfx = registry.getGraphics(element);
      var shape = gfx && gfx.querySelector(".djs-visual > rect");
      if (shape) {
        shape.style.fill = colours[f.colour];
        shape.style.stroke = strokes[f.colour];
      }
      var html = document.createElement("div");
      html.className = "heat-overlay heat-" + f.colour;
      html.setAttribute("data-step", id);
      html.setAttribute("data-colour", f.colour);
      html.style.cssText = "background:" + strokes[f.colour] + ";color:#fff;font-size:10px;padding:1px 4px;" +
        "border-radius:3px;white-space:nowrap";
      html.textContent = "p50 " + f.median + "h · p95 " + f.p95 + "h · trễ " + pct(f.late) + " · BS " +
        pct(f.supplement);
      html.title = "n = " + f.count + (f.budget ? ", hạn " + f.budget + "h" : "");
      overlays.add(id, { position: { bottom: -4, left: 0 }, html: html });
    });
    container.setAttribute("data-rendered", "1");
  }).catch(function (error) {
    container.setAttribute("data-error", String(error));
    container.textContent = container.getAttribute("data-error-text") || "⚠";
  });
})();
