// The dossier's exact model version in bpmn-js' NavigatedViewer (drag to pan, wheel or buttons to zoom), fitted
// to its frame, with done / current / late steps marked and, while the dossier waits for a supplement, the wait.
(function () {
  "use strict";
  var container = document.getElementById("diagram");
  if (!container || typeof window.BpmnJS === "undefined") { return; }
  var markers = JSON.parse((document.getElementById("diagram-markers") || {}).textContent || "{}");
  var viewer = new window.BpmnJS({ container: container });

  function waitsFor(element, message) {
    var bo = element.businessObject || {};
    var receives = element.type === "bpmn:ReceiveTask" ? [bo] : (bo.eventDefinitions || []);
    return element.type !== "label" && receives.some(function (d) {
      return d.messageRef && d.messageRef.name === message;
    });
  }

  // bpmn-js wraps a pool or lane name to the lane's length, but a long name still needs three lines and spills out
  // of the 30 px band over the next line and shapes: shrink such a label (only) until it fits its band.
  var BAND = 30;
  function fitLaneLabels(registry) {
    registry.filter(function (el) { return el.type === "bpmn:Lane" || el.type === "bpmn:Participant"; })
      .forEach(function (el) {
        var text = registry.getGraphics(el).querySelector(".djs-visual > text");
        if (!text) { return; }
        var box = text.getBBox(), room = BAND - 4;
        if (box.height <= room) { return; }
        var s = room / box.height, cx = box.x + box.width / 2, cy = box.y + box.height / 2;
        text.setAttribute("transform", (text.getAttribute("transform") || "") +
          " translate(" + cx + " " + cy + ") scale(" + s + ") translate(" + (-cx) + " " + (-cy) + ")");
      });
  }

  function fit(canvas) {
    canvas.zoom("fit-viewport", "auto");
  }

  fetch(container.getAttribute("data-xml-url"), { credentials: "same-origin" })
    .then(function (response) { return response.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      fitLaneLabels(registry);
      fit(canvas);
      ["done", "current", "late"].forEach(function (kind) {
        (markers[kind] || []).forEach(function (id) {
          if (registry.get(id)) { canvas.addMarker(id, kind); }
        });
      });
      if (markers.waiting_message) {
        registry.filter(function (el) { return waitsFor(el, markers.waiting_message); })
          .forEach(function (el) { canvas.addMarker(el.id, "waiting"); });
      }
      var zoomScroll = viewer.get("zoomScroll");
      document.querySelectorAll("[data-zoom]").forEach(function (button) {
        button.addEventListener("click", function () {
          var how = button.getAttribute("data-zoom");
          if (how === "fit") { fit(canvas); } else { zoomScroll.stepZoom(how === "in" ? 1 : -1); }
        });
      });
      window.addEventListener("resize", function () { canvas.resized(); });
      container.setAttribute("data-rendered", "1");
    })
    .catch(function (error) {
      container.setAttribute("data-error", String(error));
      container.textContent = container.getAttribute("data-error-text") || "⚠";
    });
})();
