// Print buttons on receipts and slips (no inline handlers: CSP script-src 'self').
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
