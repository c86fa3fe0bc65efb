// Live SLA countdowns: every [data-due] element shows the time left to answer, ticking
// each second, and turns amber in the last quarter and red once overdue. Cards swapped in
// by htmx are picked up on the next tick (no per-card setup).
(function () {
  "use strict";
  // Loaded by the inbox page and again by fragments swapped into other pages: start once.
  if (window.leadflowCountdown) return;
  window.leadflowCountdown = true;

  function format(ms) {
    var seconds = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var secs = seconds % 60;
    var mm = String(minutes).padStart(2, "0") + "m";
    var ss = String(secs).padStart(2, "0") + "s";
    if (days > 0) return days + "d " + hours + "h " + mm;
    if (hours > 0) return hours + "h " + mm + " " + ss;
    return minutes + "m " + ss;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      var offered = Date.parse(el.dataset.offered || "");
      if (isNaN(due)) return;
      var left = due - now;
      el.textContent = left > 0 ? "Answer within " + format(left) : "Overdue by " + format(left);
      el.classList.toggle("sla-late", left <= 0);
      var total = isNaN(offered) ? 0 : due - offered;
      el.classList.toggle("sla-soon", left > 0 && total > 0 && left < total / 4);
    });
  }

  function start() {
    tick();
    window.setInterval(tick, 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  document.addEventListener("htmx:afterSwap", tick);
})();
