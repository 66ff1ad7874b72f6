/* Referral pages: character counter of the need, event id shown only for sport/cultural events,
   confirmation before a deletion. Loaded from a file: the CSP forbids inline scripts. */
(function () {
  "use strict";

  function counters() {
    document.querySelectorAll("[data-counter-for]").forEach(function (out) {
      var input = document.getElementById(out.getAttribute("data-counter-for"));
      if (!input) { return; }
      var max = parseInt(input.getAttribute("data-counter") || input.getAttribute("maxlength") || "300", 10);
      function update() {
        var left = max - input.value.length;
        out.textContent = left >= 0
          ? agirT(left > 1 ? "{n} caractères restants" : "{n} caractère restant", {n: left})
          : agirT("{n} caractère(s) de trop", {n: -left});
      }
      input.addEventListener("input", update);
      update();
    });
  }

  function eventRef() {
    var form = document.getElementById("event-form");
    if (!form) { return; }
    var kind = form.querySelector("select[name=kind]");
    var group = form.querySelector("[data-event-ref]");
    if (!kind || !group) { return; }
    function update() {
      var needed = kind.value === "sport_event" || kind.value === "cultural_event";
      group.hidden = !needed;
      if (!needed) {
        var input = group.querySelector("input");
        if (input) { input.value = ""; }
      }
    }
    kind.addEventListener("change", update);
    update();
  }

  function confirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    counters();
    eventRef();
    confirmations();
  });
}());
