/* Pipeline board: drag a deal card to another column.
 *
 * A drop only asks the server: the card's own "Move to" form is posted (with the target
 * stage) through htmx, and the board comes back drawn from the database. An illegal or
 * stale move answers 409 with the reason, and the redrawn board shows the card back in
 * its column. Keyboard and screen-reader users use the same form: choosing in the select
 * moves nothing (arrow keys fire a change per step), Enter or the Move button confirms.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var dragged = null;

  function column(el) {
    return el && el.closest ? el.closest("[data-stage-column]") : null;
  }

  function cleanup() {
    document.querySelectorAll("[data-stage-column]").forEach(function (col) {
      col.classList.remove("drop-ok", "drop-no", "drop-over");
    });
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".deal-card") : null;
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.deal);
    card.classList.add("is-dragging");
    var allowed = (card.dataset.allowed || "").split(" ");
    document.querySelectorAll("[data-stage-column]").forEach(function (col) {
      if (col.dataset.stage !== card.dataset.stage) {
        col.classList.add(allowed.indexOf(col.dataset.stage) >= 0 ? "drop-ok" : "drop-no");
      }
    });
  });

  document.addEventListener("dragover", function (event) {
    var col = dragged ? column(event.target) : null;
    if (!col || col.dataset.stage === dragged.dataset.stage) return;
    event.preventDefault(); // a drop anywhere is sent: the server says whether the move is allowed
    event.dataTransfer.dropEffect = "move";
    col.classList.add("drop-over");
  });

  document.addEventListener("dragleave", function (event) {
    var col = column(event.target);
    if (col && !col.contains(event.relatedTarget)) col.classList.remove("drop-over");
  });

  document.addEventListener("dragend", cleanup);

  document.addEventListener("drop", function (event) {
    var col = dragged ? column(event.target) : null;
    if (!col) return;
    event.preventDefault();
    var card = dragged;
    cleanup();
    if (col.dataset.stage === card.dataset.stage) return;
    var form = card.querySelector("form.card-move");
    if (!form || !window.htmx) return;
    // Show it where it was dropped while the server decides; the answer redraws the board.
    col.querySelector(".kanban-cards").prepend(card);
    card.classList.add("is-pending");
    window.htmx.ajax("POST", form.getAttribute("action"), {
      source: form,
      values: { stage: col.dataset.stage },
      target: "#board",
      swap: "outerHTML",
    });
  });

  // Enter on a card's "Move to" list confirms the chosen stage (a select has no implicit
  // submission of its own); the form is posted by htmx like a click on Move.
  document.addEventListener("keydown", function (event) {
    var select = event.target;
    if (event.key !== "Enter" || !select.matches || !select.matches(".card-move select")) return;
    event.preventDefault();
    if (select.value) select.form.requestSubmit();
  });

  // After a move the board is redrawn: give the keyboard focus back to the moved card.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.target || event.target.id !== "board") return;
    var focus = document.querySelector("#board [data-focus]");
    if (focus) focus.focus();
  });
})();
