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

  // form-js's date picker turns an impossible date such as 31/02/2026 into 03/03/2026 without a word: read what
  // was typed before the picker rewrites it (capture phase) and refuse to submit until a real date is entered.
  var DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
  var badDates = new Map();

  function realDate(text, dayFirst) {
    var m = DMY.exec(text.trim());
    if (!m) { return text.trim() === ""; }
    var d = +(dayFirst ? m[1] : m[2]), mo = +(dayFirst ? m[2] : m[1]), y = +m[3];
    var probe = new Date(y, mo - 1, d);
    return probe.getFullYear() === y && probe.getMonth() === mo - 1 && probe.getDate() === d;
  }

  function showDateError(input, text) {
    var field = input.closest(".fjs-form-field") || input.parentNode;
    var note = field.querySelector(".motcua-date-error");
    if (!text) {
      badDates.delete(input);
      if (note) { note.remove(); }
      input.removeAttribute("aria-invalid");
      return;
    }
    badDates.set(input, text);
    if (!note) {
      note = document.createElement("div");
      note.className = "motcua-date-error invalid-feedback d-block";
      note.setAttribute("role", "alert");
      field.appendChild(note);
    }
    note.textContent = (document.getElementById("formjs").getAttribute("data-date-error") || "{date}")
      .replace("{date}", text);
    input.setAttribute("aria-invalid", "true");
  }

  function guardDates(host) {
    // "input" fires for what the official types, never for the picker's own rewrite, so the typed text is judged.
    host.addEventListener("input", function (event) {
      var input = event.target;
      if (!event.isTrusted || !input.matches || !input.matches(".fjs-form-field-datetime input.fjs-input")) { return; }
      var dayFirst = /^d/i.test(input.getAttribute("placeholder") || "dd");
      var text = input.value.trim();
      showDateError(input, DMY.test(text) && !realDate(text, dayFirst) ? text : null);
    }, true);
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
        guardDates(host);
        markReason(data.decision);
        viewer.on("changed", function (event) { markReason((event.data || {}).decision); });
        form.addEventListener("submit", function (event) {
          var result = viewer.submit();
          if (Object.keys(result.errors || {}).length || badDates.size) {
            event.preventDefault();
            if (badDates.size) { badDates.keys().next().value.focus(); }
            return;
          }
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
