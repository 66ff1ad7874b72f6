/* « Copier » buttons: copy the value of the field named by data-copy-target to the clipboard and say so in the
   live region named by data-copy-status (no inline script: the Content-Security-Policy forbids it). Without the
   Clipboard API (plain HTTP), the field's text is selected for Ctrl+C. */
(function () {
  "use strict";

  function say(button, message) {
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (status) { status.textContent = message; }
  }

  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy-target"));
      if (!field) { return; }
      var fallback = function () {
        field.focus();
        field.select();
        say(button, button.getAttribute("data-copy-select"));
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () {
          say(button, button.getAttribute("data-copy-done"));
        }, fallback);
      } else {
        fallback();
      }
    });
  });
}());
