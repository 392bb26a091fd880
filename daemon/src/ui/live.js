// Tandem: the app's only script. Everything works without it; it adds:
// - live updates: when a change to this plan arrives (from this device or
//   another), the page's live parts are fetched again and swapped in place;
//   forms are not touched, so what is being typed stays;
// - keyboard shortcuts (not while typing): n opens the first "add" form,
//   / goes to the first field, h goes home, ? lists the keys;
// - a ticket or calendar address is selected when focused, a Print button prints.
(function () {
  "use strict";
  var plan = document.body.getAttribute("data-plan");
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live]").forEach(function (old) {
          var now = fresh.getElementById(old.id);
          if (now && !old.contains(document.activeElement)) { old.innerHTML = now.innerHTML; }
        });
        document.body.setAttribute("data-updated", String(Date.now()));
      })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  if (window.EventSource && document.querySelector("[data-live]")) {
    var url = plan ? "/events?plan=" + encodeURIComponent(plan) : "/events";
    var events = new EventSource(url);
    events.addEventListener("change", refresh);
    events.addEventListener("open", function () { document.body.setAttribute("data-live-ready", "1"); });
  }

  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }
  function firstField() {
    return document.querySelector("main input:not([type=hidden]):not([readonly]), main textarea:not([readonly]), main select");
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) { return; }
    if (e.key === "n") {
      var add = document.querySelector("summary[data-add]");
      if (add) {
        e.preventDefault();
        var d = add.parentElement;
        d.open = true;
        var f = d.querySelector("input:not([type=hidden]), textarea, select");
        if (f) { f.focus(); }
      }
    } else if (e.key === "/") {
      var first = firstField();
      if (first) { e.preventDefault(); first.focus(); }
    } else if (e.key === "h") {
      e.preventDefault();
      window.location.href = "/";
    } else if (e.key === "?") {
      e.preventDefault();
      var k = document.querySelector("footer.keys");
      if (k) { k.classList.toggle("shown"); k.scrollIntoView(); }
    }
  });
  document.querySelectorAll("[data-select]").forEach(function (el) {
    el.addEventListener("focus", function () { el.select(); });
  });
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function () { window.print(); });
  });
})();
