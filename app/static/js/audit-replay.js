// Auditor replay: a timeline slider over the dossier's events; at event k the diagram of the exact model
// version shows where the tokens were (from re-running the engine) and the matching server-rendered panel.
(function () {
  "use strict";
  var dataBlock = document.getElementById("replay-data");
  var slider = document.getElementById("replay-slider");
  if (!dataBlock || !slider) { return; }
  var payload = JSON.parse(dataBlock.textContent);
  var frames = payload.frames || [];
  var panels = document.querySelectorAll(".replay-frame");
  var position = document.getElementById("replay-position");
  var container = document.getElementById("replay-canvas");
  var viewer = null;
  var marked = [];

  function markTokens(frame) {
    if (!viewer) { return; }
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    marked.forEach(function (id) { canvas.removeMarker(id, "replay-active"); });
    overlays.remove({ type: "replay-token" });
    marked = (frame.active || []).filter(function (id) { return registry.get(id); });
    marked.forEach(function (id) {
      canvas.addMarker(id, "replay-active");
      var token = document.createElement("span");
      token.className = "replay-token";
      token.setAttribute("data-token", id);
      overlays.add(id, "replay-token", { position: { top: -8, right: 8 }, html: token });
    });
    container.setAttribute("data-active", marked.join(" "));
  }

  function show(index) {
    var k = Math.max(1, Math.min(frames.length, index));
    slider.value = String(k);
    panels.forEach(function (panel) { panel.hidden = panel.getAttribute("data-index") !== String(k); });
    if (position) {
      position.textContent = (position.getAttribute("data-template") || "{k}").replace("{k}", String(k));
    }
    container.setAttribute("data-frame", String(k));
    markTokens(frames[k - 1] || {});
  }

  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  document.getElementById("replay-prev").addEventListener("click", function () { show(parseInt(slider.value, 10) - 1); });
  document.getElementById("replay-next").addEventListener("click", function () { show(parseInt(slider.value, 10) + 1); });
  document.addEventListener("keydown", function (event) {
    if (event.target === slider || event.target.tagName === "INPUT") { return; }
    if (event.key === "ArrowLeft") { show(parseInt(slider.value, 10) - 1); }
    if (event.key === "ArrowRight") { show(parseInt(slider.value, 10) + 1); }
  });

  show(parseInt(slider.value, 10));
  if (typeof window.BpmnJS === "undefined" || !container) { return; }
  viewer = new window.BpmnJS({ container: container });
  viewer.importXML(payload.xml)
    .then(function () {
      viewer.get("canvas").zoom("fit-viewport", "auto");
      container.setAttribute("data-rendered", "1");
      show(parseInt(slider.value, 10));
    })
    .catch(function (error) { container.setAttribute("data-error", String(error)); });
})();
