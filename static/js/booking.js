// Small and optional: every page works without it.
(function () {
  "use strict";
  // Move focus to the error summary, so screen readers announce it first.
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();

  // One click books once: the server refuses a second submit anyway, but a
  // disabled button tells the patient the first is on its way.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[data-once]");
      if (!button) return;
      button.setAttribute("data-label", button.textContent);
      window.setTimeout(function () {
        button.disabled = true;
        button.textContent = "Booking…";
      }, 0);
    });
  });

  // Back to a page kept in the browser's memory: the button works again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("button[data-once]").forEach(function (button) {
      button.disabled = false;
      button.textContent = button.getAttribute("data-label") || button.textContent;
    });
  });

  // Print, on the confirmation page.
  var hint = document.querySelector("[data-print-hint]");
  if (hint && window.print) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-primary";
    button.textContent = "Print this page";
    button.addEventListener("click", function () { window.print(); });
    hint.replaceChildren(button);
  }
})();
