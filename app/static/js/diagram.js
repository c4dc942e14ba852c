// Read-only bpmn-js viewer of the dossier's exact model version, with done / current / late steps marked.
(function () {
  "use strict";
  var container = document.getElementById("diagram");
  if (!container || typeof window.BpmnJS === "undefined") { return; }
  var markers = JSON.parse((document.getElementById("diagram-markers") || {}).textContent || "{}");
  var viewer = new window.BpmnJS({ container: container });
  fetch(container.getAttribute("data-xml-url"), { credentials: "same-origin" })
    .then(function (response) { return response.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport", "auto");
      ["done", "current", "late"].forEach(function (kind) {
        (markers[kind] || []).forEach(function (id) {
          if (registry.get(id)) { canvas.addMarker(id, kind); }
        });
      });
      container.setAttribute("data-rendered", "1");
    })
    .catch(function (error) {
      container.setAttribute("data-error", String(error));
      container.textContent = container.getAttribute("data-error-text") || "⚠";
    });
})();
