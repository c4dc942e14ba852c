// Motcua: small progressive enhancements; pages work without JavaScript.
(function () {
  "use strict";
  // Ask before destructive or legal actions (forms marked data-confirm).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);
  // One click, one submission: buttons are disabled once the browser has started sending the form.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") { return; }
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  // Print only the case panel (the rest of the page is hidden by the print style while printing).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print-panel]");
    if (!button) { return; }
    document.body.classList.add("printing-panel");
    window.print();
  });
  window.addEventListener("afterprint", function () { document.body.classList.remove("printing-panel"); });
  // A link to one of the dossier page's actions (#action-apology) opens its form.
  function openTarget() {
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target && target.tagName === "DETAILS") { target.open = true; target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", openTarget);
  // Send the CSRF token with every htmx request.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
  });
})();
