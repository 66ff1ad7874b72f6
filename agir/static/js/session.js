/* Idle warning (issue 13, « Nothing typed is lost »).
   Two minutes before the idle timeout (AGIR_IDLE_MINUTES), the notice #agir-session (templates/base.html) says
   « Votre session va expirer dans 2 minutes », takes the focus and offers « Rester connecté »: a POST with the
   CSRF token to the keep-alive endpoint, which moves the server's idle clock. When the time is over, the notice
   says the session has expired and offers to sign in again, coming back to this page, where drafts.js restores
   what was typed. No inline script (CSP): everything comes from the data-* attributes of the notice. */
(function () {
  "use strict";
  var box = document.getElementById("agir-session");
  if (!box) { return; }
  var idle = parseInt(box.getAttribute("data-idle-seconds"), 10) || 3600;
  var lead = parseInt(box.getAttribute("data-warn-seconds"), 10) || 120;
  var stay = document.getElementById("agir-session-stay");
  var login = document.getElementById("agir-session-login");
  var warnTimer = null;
  var endTimer = null;
  var before = null;  // the element that had the focus before the warning

  function show(part) {
    box.querySelectorAll("[data-when-warning]").forEach(function (el) { el.hidden = part !== "warning"; });
    box.querySelectorAll("[data-when-expired]").forEach(function (el) { el.hidden = part !== "expired"; });
    box.setAttribute("aria-labelledby", part === "expired" ? "agir-session-title-expired" : "agir-session-title");
    box.hidden = false;
  }

  function hide() {
    box.hidden = true;
    if (before && document.body.contains(before)) { before.focus(); }
    before = null;
  }

  function warn() {
    before = document.activeElement;
    show("warning");
    stay.focus();
  }

  function expired() {
    var here = window.location.pathname + window.location.search;
    login.href = box.getAttribute("data-login-url") + "?next=" + encodeURIComponent(here);
    if (box.hidden) { before = document.activeElement; }
    show("expired");
    login.focus();
  }

  function start(seconds) {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warnTimer = window.setTimeout(warn, Math.max(0, seconds - lead) * 1000);
    endTimer = window.setTimeout(expired, seconds * 1000);
  }

  stay.addEventListener("click", function () {
    stay.disabled = true;
    fetch(box.getAttribute("data-keep-alive-url"), {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": box.getAttribute("data-csrf-token"), "Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (answer) {
      stay.disabled = false;
      if (answer.ok && !answer.body.expired) {
        hide();
        start(answer.body.idle_seconds || idle);
      } else {
        expired();
      }
    }).catch(function () {
      stay.disabled = false;  // network hiccup: the user may try again before the end
    });
  });

  login.addEventListener("click", function () {
    if (window.agirDraftsAwaitLogin) { window.agirDraftsAwaitLogin(); }  // drafts.js: restore after the sign-in
  });

  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !box.querySelector("[data-when-warning]").hidden) { hide(); }
  });

  start(idle);
}());
