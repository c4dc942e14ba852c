// Task and intake forms: show/hide conditional fields, ask for a reason where the law needs one, and
// replace the plain fields with the @bpmn-io/form-js viewer when it loads (the plain form is the fallback).
(function () {
  "use strict";
  var HIDE = /^=\s*([A-Za-z_][A-Za-z0-9_]*)\s*(!=|=)\s*"([^"]*)"\s*$/;

  function plainValue(key) {
    var input = document.querySelector('[name="f.' + key + '"]');
    return input ? input.value : "";
  }

  function applyConditions(valueOf) {
    document.querySelectorAll(".schema-field[data-hide]").forEach(function (field) {
      var m = HIDE.exec(field.getAttribute("data-hide"));
      if (!m) { return; }
      var equal = String(valueOf(m[1]) || "") === m[3];
      var hidden = m[2] === "=" ? equal : !equal;
      field.hidden = hidden;
      field.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = hidden; });
    });
  }

  function markReason(decision) {
    var note = document.getElementById("comment-required");
    if (!note) { return; }
    var needed = (note.getAttribute("data-decisions") || "").split(",").indexOf(decision || "") >= 0;
    note.hidden = !needed;
    var comment = document.getElementById("comment");
    if (comment) { comment.setAttribute("aria-required", needed ? "true" : "false"); }
  }

  function plainMode() {
    var refresh = function () { applyConditions(plainValue); markReason(plainValue("decision")); };
    document.addEventListener("change", refresh);
    refresh();
  }

  function formJsMode(schemaEl) {
    var host = document.getElementById("formjs");
    var plain = document.getElementById("plain-fields");
    var form = document.getElementById("task-form");
    var data = JSON.parse((document.getElementById("form-data") || {}).textContent || "{}");
    return window.FormViewer.createForm({ container: host, schema: JSON.parse(schemaEl.textContent), data: data })
      .then(function (viewer) {
        plain.hidden = true;
        plain.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = true; });
        host.setAttribute("data-ready", "1");
        markReason(data.decision);
        viewer.on("changed", function (event) { markReason((event.data || {}).decision); });
        form.addEventListener("submit", function (event) {
          var result = viewer.submit();
          if (Object.keys(result.errors || {}).length) { event.preventDefault(); return; }
          var hidden = document.createElement("input");
          hidden.type = "hidden"; hidden.name = "form_json"; hidden.value = JSON.stringify(result.data);
          form.appendChild(hidden);
        });
      });
  }

  var schemaEl = document.getElementById("form-schema");
  var hasErrors = (document.getElementById("form-errors") || {}).textContent;
  // Server-side errors are shown in place on the plain form; keep it in that case.
  if (schemaEl && window.FormViewer && (!hasErrors || hasErrors.trim() === "{}")) {
    formJsMode(schemaEl).catch(function () {
      document.getElementById("plain-fields").hidden = false;
      plainMode();
    });
  } else {
    plainMode();
  }
})();
