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

  // One reason box: the form's own field for the chosen decision, or the comment box when the form has none.
  function markReason(decision) {
    var box = document.getElementById("comment-box");
    if (!box) { return; }
    var boxes = JSON.parse(box.getAttribute("data-reason-boxes") || "{}");
    var here = boxes[decision || ""] === "_comment";
    document.getElementById("comment-note").hidden = here;
    document.getElementById("comment-reason").hidden = !here;
    document.getElementById("comment").setAttribute("aria-required", here ? "true" : "false");
    var button = document.getElementById("complete-btn");
    if (button) {
      var labels = JSON.parse(button.getAttribute("data-labels") || "{}");
      button.textContent = labels[decision || ""] || button.getAttribute("data-default");
    }
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

  // form-js has no i18n: its validator's English messages are mapped through a service override (the viewer's
  // `additionalModules`), and its fixed placeholders and the date picker's month and day names are replaced in place.
  var I18N = JSON.parse((document.getElementById("formjs-i18n") || {}).textContent || "{}");
  var MESSAGE_RULES = [
    [/^Field is required\.$/, "required"], [/^Field must match pattern /, "pattern"],
    [/^Field must have minimum value of (.+)\.$/, "min"], [/^Field must have maximum value of (.+)\.$/, "max"],
    [/^Field must have minimum length of (.+)\.$/, "minLength"],
    [/^Field must have maximum length of (.+)\.$/, "maxLength"],
    [/^Field must be a valid email\.$/, "email"], [/^Field must be a valid +international phone/, "phone"],
    [/^Value is not a number\.$/, "number"], [/^Value is expected to be an integer/, "integer"]
  ];
  var EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];
  var EN_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

  function translateMessage(message) {
    for (var i = 0; i < MESSAGE_RULES.length; i++) {
      var m = MESSAGE_RULES[i][0].exec(message);
      if (m && I18N[MESSAGE_RULES[i][1]]) { return I18N[MESSAGE_RULES[i][1]].replace("{n}", m[1] || ""); }
    }
    return message;
  }

  // The server's per-field errors (a 422: dates, lengths, reasons, ...) are shown inside the form-js form, under the
  // field, for as long as the field still holds the value the server refused.
  var SERVER_ERRORS = JSON.parse((document.getElementById("form-errors") || {}).textContent || "{}");
  var SUBMITTED = JSON.parse((document.getElementById("form-data") || {}).textContent || "{}");

  function sameValue(a, b) {
    return JSON.stringify(a === undefined ? null : a) === JSON.stringify(b === undefined ? null : b) ||
      String(a === undefined || a === null ? "" : a) === String(b === undefined || b === null ? "" : b);
  }

  function serverErrors(field, value) {
    var key = field && field.key, messages = key ? SERVER_ERRORS[key] : null;
    return messages && sameValue(value, SUBMITTED[key]) ? messages : [];
  }

  var LocalisedValidation = {
    __init__: ["motcuaValidatorI18n"],
    motcuaValidatorI18n: ["type", ["validator", "formFieldRegistry", function (validator, registry) {
      ["validateField", "validateFieldInstance"].forEach(function (name) {
        var original = validator[name];
        if (!original) { return; }
        validator[name] = function (target, value) {
          var field = name === "validateField" ? target : registry.get(target.id);
          var errors = original.apply(validator, arguments).map(translateMessage);
          serverErrors(field, value).forEach(function (m) { if (errors.indexOf(m) < 0) { errors.push(m); } });
          return errors;
        };
      });
    }]]
  };

  function showServerErrors(viewer, host) {
    if (!Object.keys(SERVER_ERRORS).length) { return; }
    viewer.validate();
    var first = host.querySelector(".fjs-has-errors input, .fjs-has-errors textarea, .fjs-has-errors button");
    if (first) { first.focus(); }
  }

  function localiseText(root) {
    if (!I18N.lang || I18N.lang === "en") { return; }
    root.querySelectorAll("[placeholder]").forEach(function (el) {
      var text = el.getAttribute("placeholder");
      if (I18N[text]) { el.setAttribute("placeholder", I18N[text]); }
    });
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var text = node.nodeValue.trim(), month = EN_MONTHS.indexOf(text), day = EN_DAYS.indexOf(text);
      if (I18N[text] && typeof I18N[text] === "string") { node.nodeValue = I18N[text]; }
      else if (month >= 0 && I18N.months) { node.nodeValue = I18N.months[month]; }
      else if (day >= 0 && I18N.weekdays) { node.nodeValue = I18N.weekdays[day]; }
    }
  }

  function watchTexts(host) {
    var busy = false;
    localiseText(host);
    new MutationObserver(function () {
      if (busy) { return; }
      busy = true; localiseText(host); busy = false;
    }).observe(host, { subtree: true, childList: true, characterData: true, attributes: true,
                       attributeFilter: ["placeholder"] });
  }

  function formJsMode(schemaEl) {
    var host = document.getElementById("formjs");
    var plain = document.getElementById("plain-fields");
    var form = document.getElementById("task-form");
    var data = JSON.parse((document.getElementById("form-data") || {}).textContent || "{}");
    return window.FormViewer.createForm({ container: host, schema: JSON.parse(schemaEl.textContent), data: data,
                                          additionalModules: [LocalisedValidation] })
      .then(function (viewer) {
        watchTexts(host);
        plain.hidden = true;
        plain.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = true; });
        // what form-js holds now (typed text reaches it after a short debounce): read by the browser tests
        window.motcuaFormValues = function () { return viewer._getState().data; };
        host.setAttribute("data-ready", "1");
        guardDates(host);
        showServerErrors(viewer, host);
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

  // Intake: the applicant's number is a personal ID for a person, a tax code for an organisation.
  var kind = document.getElementById("applicant_kind");
  var idBox = document.querySelector("[data-id-labels]");
  if (kind && idBox) {
    var idLabels = JSON.parse(idBox.getAttribute("data-id-labels"));
    var relabel = function () { idBox.querySelector("label").textContent = idLabels[kind.value] || idLabels.person; };
    kind.addEventListener("change", relabel);
    relabel();
  }

  var schemaEl = document.getElementById("form-schema");
  if (schemaEl && window.FormViewer) {
    formJsMode(schemaEl).catch(function () {
      document.getElementById("plain-fields").hidden = false;
      plainMode();
    });
  } else {
    plainMode();
  }
})();
