// "Copy" next to a freshly created API token. The button stays hidden without JavaScript
// (or without a clipboard, as on plain HTTP away from localhost): selecting the field and
// pressing Ctrl+C always works, and the page says so.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = document.querySelector("[data-copy-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { if (status) status.textContent = "Copied to the clipboard."; },
        function () { field.select(); if (status) status.textContent = "Copying failed: press Ctrl+C (⌘C) to copy the selected token."; }
      );
    });
  });
})();
