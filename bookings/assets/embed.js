/* Online booking on a practice's own page. Paste where the booking should be:
 *   <script src="https://BOOKING-SITE/embed.js" async></script>
 *   <div data-physio-booking data-staff-id="42230" data-room-id="7" data-lang="cy">
 *     <noscript><a href="https://BOOKING-SITE/cy/?staffId=42230&amp;sectionId=7">Book an appointment</a></noscript>
 *   </div>
 * data-staff-id and data-room-id are optional: the practitioner and room to start with;
 * data-lang too: the booking's language (on the <script>, for every booking on the page).
 * No dependencies; plain ES5, so old phones run it too. See docs/designers.md. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.postMessage) return; // the <noscript> link stays
  // The booking site may live under a path (https://practice.example/booking/embed.js):
  // its pages are beside this script; messages are checked against its origin.
  var base = script.src.replace(/[?#].*$/, "").replace(/[^/]*$/, "");
  var site = base.replace(/^([a-z]+:\/\/[^/]+).*$/i, "$1");
  // Every language the site offers: its words here, the prefix of its pages' addresses
  // ("" for the default's), and the default's code. Written in by bookings/embedding.py.
  var i18n = {/* languages */};
  var languages = i18n.languages;
  var own = Object.prototype.hasOwnProperty;

  // The language a booking asks for, if the site offers it; else none is named, and
  // the site decides (the browser's language, for its first page).
  function language(holder) {
    var asked = holder.getAttribute("data-lang");
    if (asked === null) asked = script.getAttribute("data-lang") || "";
    asked = asked.toLowerCase().replace("_", "-");
    return own.call(languages, asked) ? asked : null;
  }

  function embed(holder) {
    if (holder.getAttribute("data-physio-embedded") !== null) return;
    holder.setAttribute("data-physio-embedded", "");
    var staff = holder.getAttribute("data-staff-id") || "";
    var room = holder.getAttribute("data-room-id") || "";
    var lang = language(holder);
    var words = languages[lang || i18n["default"]];
    var query = [];
    if (staff) query.push("staffId=" + encodeURIComponent(staff));
    if (room) query.push("sectionId=" + encodeURIComponent(room));
    // The default language's pages have no prefix: named, it must be said, or the
    // first page would follow the browser's language instead.
    if (lang && lang === i18n["default"]) query.push("lang=" + encodeURIComponent(lang));
    var root = lang ? base.slice(0, -1) + languages[lang].prefix + "/" : base;
    // Both chosen: straight to the free times; otherwise choose first.
    var src = root + (staff && room ? "times/" : "") + (query.length ? "?" + query.join("&") : "");

    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = words.title;
    frame.style.display = "block";
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.height = "40rem"; // until the booking says how tall it is

    // If the frame never speaks (this site is not in EMBED_ALLOWED_ORIGINS,
    // or the network failed), a plain link still leads to the booking.
    var fallback = document.createElement("p");
    var link = document.createElement("a");
    link.href = src;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = words.link;
    fallback.appendChild(link);
    fallback.hidden = true;
    function working(yes) {
      frame.style.display = yes ? "block" : "none"; // not a blank box on the practice's page
      fallback.hidden = yes;
    }

    var loads = 0;
    var heard = false;
    var fresh = false;
    window.setTimeout(function () { if (!loads) working(false); }, 10000); // never loaded
    frame.addEventListener("load", function () {
      var load = ++loads;
      fresh = true;
      heard = false;
      // Only the booking site may hear this, and it answers only us.
      frame.contentWindow.postMessage({ type: "physio-booking:hello" }, site);
      // It answers at once (its listener is set before load): silence is a refusal.
      window.setTimeout(function () { if (load === loads && !heard) working(false); }, 3000);
    });
    window.addEventListener("message", function (event) {
      if (event.origin !== site || event.source !== frame.contentWindow) return;
      var data = event.data;
      if (data && data.type === "physio-booking:continue") return reveal(Number(data.bottom), Number(data.chosen));
      if (!data || data.type !== "physio-booking:size") return;
      heard = true;
      working(true);
      var height = Math.ceil(Number(data.height));
      if (height > 0 && height < 100000) frame.style.height = height + "px";
      if (typeof data.title === "string") frame.title = data.title.slice(0, 200);
      if (fresh) {
        fresh = false;
        // A new step: bring the top of the booking into view, as a page of its
        // own would be, unless the patient sees it in the upper half already.
        var top = frame.getBoundingClientRect().top;
        if (loads > 1 && (top < 0 || top > window.innerHeight / 2)) frame.scrollIntoView();
      }
    });

    // A time chosen: scroll the booking's Continue into view (the frame is as tall as
    // its content, so it cannot stick to this screen), keeping the chosen time in view.
    function reveal(bottom, chosen) {
      if (!(bottom > 0 && bottom < 100000 && chosen >= 0 && chosen < bottom)) return;
      var top = frame.getBoundingClientRect().top;
      var by = Math.min(top + bottom + 16 - window.innerHeight, top + chosen - 8);
      if (by > 0) window.scrollBy(0, by);
    }

    while (holder.firstChild) holder.removeChild(holder.firstChild);
    holder.appendChild(frame);
    holder.appendChild(fallback);
  }

  function within(node) {
    if (node.nodeType !== 1) return;
    if (node.hasAttribute("data-physio-booking")) embed(node);
    var holders = node.querySelectorAll("[data-physio-booking]");
    for (var i = 0; i < holders.length; i++) embed(holders[i]);
  }
  function start() {
    within(document.documentElement);
    // Site builders add their blocks after the page has loaded.
    if (window.MutationObserver) {
      new MutationObserver(function (changes) {
        for (var i = 0; i < changes.length; i++) {
          for (var j = 0; j < changes[i].addedNodes.length; j++) within(changes[i].addedNodes[j]);
        }
      }).observe(document.documentElement, { childList: true, subtree: true });
    }
  }
  // With async, this may run before the page's <div> has been parsed.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
