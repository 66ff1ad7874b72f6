// Languages (ISO 639-3): the datalist starts with the common languages (rendered by the server) and is
// completed, as the name is typed, with the matching languages in the reader's language.
(function () {
  "use strict";
  var form = document.querySelector("form[data-agir-languages]");
  var list = document.getElementById("agir-languages");
  if (!form || !list || !window.fetch) { return; }
  var url = form.getAttribute("data-agir-languages");
  var common = list.innerHTML;
  var timer = null;
  function refresh(text) {
    if (text.length < 2) { list.innerHTML = common; return; }
    fetch(url + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (rows) {
        list.innerHTML = common;
        rows.forEach(function (row) {
          if (list.querySelector('option[value="' + row.code + '"]')) { return; }
          var option = document.createElement("option");
          option.value = row.code;
          option.textContent = row.name;
          list.appendChild(option);
        });
      })
      .catch(function () { list.innerHTML = common; });
  }
  form.querySelectorAll("input[data-agir-language]").forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      timer = setTimeout(function () { refresh(text); }, 200);
    });
  });
})();
