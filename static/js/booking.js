// Small and optional: every page works without it.
(function () {
  "use strict";
  // Move focus to the error summary, so screen readers announce it first.
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();

  // One click books once: the server refuses a second submit anyway, but a
  // disabled button tells the patient the first is on its way. The words this
  // script shows come from the page (data-busy, data-print-label,
  // data-continue-with), in the page's language; the English is for a theme's
  // template that has not got them.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[data-once]");
      if (!button) return;
      button.setAttribute("data-label", button.textContent);
      window.setTimeout(function () {
        button.disabled = true;
        button.textContent = button.getAttribute("data-busy") || "Booking…";
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
    button.textContent = hint.getAttribute("data-print-label") || "Print this page";
    button.addEventListener("click", function () { window.print(); });
    hint.replaceChildren(button);
  }

  // The times page: Continue says which time ("Continue with Tuesday 8 December,
  // 10:30"); without this script it says "Continue", and works the same.
  var times = document.getElementById("free-times");
  var proceed = times && times.querySelector("[data-continue]");
  var chosen = function () {
    return times.querySelector("input[name=slot]:checked");
  };
  var nameChosen = function () {
    var radio = chosen();
    var label = proceed.getAttribute("data-continue-with") || "Continue with {when}";
    if (radio && radio.getAttribute("data-when")) proceed.textContent = label.replace("{when}", radio.getAttribute("data-when"));
  };
  if (proceed) {
    times.addEventListener("change", nameChosen);
    nameChosen(); // a time kept by the browser on Back
  }

  // Inside a practice's page (embed.js): show "Open in a new tab", and tell
  // the page how tall this one is, so its frame fits with no scroll bar of
  // its own. Only a parent on EMBED_ALLOWED_ORIGINS is told anything.
  if (window.parent === window) return;
  var root = document.documentElement;
  root.classList.add("is-embedded");
  var bar = document.querySelector("[data-embed-bar]");
  if (bar) bar.hidden = false;
  // A new step inside the frame: screen readers announce nothing of it, so
  // take them to it (the error summary, above, has focus already). Not on
  // the first page, whose referrer is the practice's site: focus stays there.
  if (!summary && document.referrer.indexOf(location.origin + "/") === 0) {
    var main = document.getElementById("main");
    if (main) main.focus({ preventScroll: true }); // the host page does the scrolling
  }
  var origins = (root.getAttribute("data-embed-origins") || "").split(" ");
  var parentOrigin = null;
  var tell = function () {
    if (!parentOrigin) return;
    window.parent.postMessage({
      type: "physio-booking:size",
      height: Math.ceil(root.getBoundingClientRect().height),
      title: document.title
    }, parentOrigin);
  };
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || origins.indexOf(event.origin) < 0) return;
    if (!event.data || event.data.type !== "physio-booking:hello") return;
    parentOrigin = event.origin;
    tell();
  });
  // A time chosen: the frame is as tall as this page, so nothing here can stick
  // to the practice's screen. Tell the page where Continue and the chosen time are
  // (px from this page's top); embed.js scrolls Continue into view, never the time out.
  if (proceed) times.addEventListener("change", function () {
    var radio = chosen();
    if (!parentOrigin || !radio) return;
    window.parent.postMessage({
      type: "physio-booking:continue",
      bottom: Math.ceil(proceed.getBoundingClientRect().bottom + window.scrollY),
      chosen: Math.floor(radio.parentNode.getBoundingClientRect().top + window.scrollY)
    }, parentOrigin);
  });
  if (window.ResizeObserver) new ResizeObserver(tell).observe(root);
  else window.addEventListener("resize", tell);
})();
