// Live SLA clocks. Every [data-due] element shows the WORKING time left to answer, ticking
// each second: the server lists the team's working windows between now and the deadline
// (data-windows: [start, end, "Mon 09:00"] in the team's time zone), so the clock stops at
// night and at weekends and says when it resumes. Amber in the last quarter of the SLA
// (data-total-minutes), red once overdue. Cards swapped in by htmx are picked up on the
// next tick (no per-card setup). Formats like handoff/services/sla.py `working_time`.
(function () {
  "use strict";
  // Loaded by the inbox page and again by fragments swapped into other pages: start once.
  if (window.leadflowCountdown) return;
  window.leadflowCountdown = true;

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  // "1h 10m" (minutes rounded up, as a clock without seconds shows them), under an hour "9m 05s".
  function format(ms) {
    var seconds = Math.max(0, Math.floor(ms / 1000));
    if (seconds >= 3600) {
      var minutes = Math.ceil(seconds / 60);
      return Math.floor(minutes / 60) + "h " + pad(minutes % 60) + "m";
    }
    return Math.floor(seconds / 60) + "m " + pad(seconds % 60) + "s";
  }

  function windowsOf(el) {
    if (el.leadflowWindows === undefined) {
      var parsed = [];
      try {
        parsed = JSON.parse(el.dataset.windows || "[]").map(function (w) {
          return { start: Date.parse(w[0]), end: Date.parse(w[1]), label: w[2] };
        });
      } catch (error) {
        parsed = null; // unreadable: fall back to wall-clock time below
      }
      el.leadflowWindows = parsed;
    }
    return el.leadflowWindows;
  }

  function setText(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      if (isNaN(due)) return;
      var note = el.dataset.note ? document.getElementById(el.dataset.note) : null;
      var windows = windowsOf(el);
      var left = 0;
      var running = false;
      var next = null;
      if (windows === null) {
        left = due - now;
        running = true;
      } else {
        windows.forEach(function (w) {
          left += Math.max(0, w.end - Math.max(w.start, now));
          if (w.start <= now && now < w.end) running = true;
          if (next === null && w.start > now) next = w;
        });
      }
      var overdue = now >= due;
      var paused = !overdue && !running && next !== null;
      setText(el, overdue ? "Overdue by " + format(now - due) : format(left) + " of working time left");
      setText(note, paused ? " · clock paused until " + next.label : "");
      var total = Number(el.dataset.totalMinutes) * 60000;
      el.classList.toggle("sla-late", overdue);
      el.classList.toggle("hf-sla-paused", paused);
      el.classList.toggle("hf-sla-soon", !overdue && total > 0 && left < total / 4);
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
