/* Right-of-access page: the "Imprimer" button prints the page (progressive enhancement). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action='print']");
    if (button) window.print();
  });
})();
