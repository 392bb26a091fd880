// Tandem: live updates. When a change to this plan arrives (from this device
// or another), the lists on the page are fetched again and swapped in place;
// forms are not touched, so what is being typed stays.
(function () {
  "use strict";
  var plan = document.body.getAttribute("data-plan");
  if (!plan || !window.EventSource) { return; }
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
          if (now) { old.innerHTML = now.innerHTML; }
        });
        document.body.setAttribute("data-updated", String(Date.now()));
      })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  var events = new EventSource("/events?plan=" + encodeURIComponent(plan));
  events.addEventListener("change", refresh);
})();
