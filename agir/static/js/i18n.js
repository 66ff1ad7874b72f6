/* Translations of the strings the page scripts write (JSON block #agir-i18n, empty in French).
   agirT("Verdict au {date}.", {date: "05/03/2026"}) → the translated sentence with its values. */
(function () {
  "use strict";
  var map = {};
  var source = document.getElementById("agir-i18n");
  try { map = source ? JSON.parse(source.textContent) : {}; } catch (e) { map = {}; }
  window.agirT = function (text, values) {
    var out = Object.prototype.hasOwnProperty.call(map, text) ? map[text] : text;
    Object.keys(values || {}).forEach(function (key) { out = out.split("{" + key + "}").join(values[key]); });
    return out;
  };
}());
