/* The pilot's pages: cohort curves drawn with Chart.js from the JSON embedded in the page
   (no inline script: the Content-Security-Policy forbids it), and the print buttons. */
(function () {
  "use strict";

  // DSFR illustrative colours, distinguishable and with the line styles as a second cue.
  var COLOURS = ["#000091", "#C9191E", "#18753C", "#B34000", "#6A6AF4", "#695240"];
  var DASHES = [[], [6, 4], [2, 3]];

  function percent(value) {
    return value.toLocaleString("fr-FR", { maximumFractionDigits: 1 }) + " %";
  }

  function drawCohortCharts() {
    var source = document.getElementById("pilot-cohort-data");
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var canvases = document.querySelectorAll("canvas[data-cohort-chart]");
    canvases.forEach(function (canvas, chartIndex) {
      var keys = canvas.getAttribute("data-cohort-chart").split(",");
      var datasets = keys.map(function (key, i) {
        var colour = COLOURS[(chartIndex * keys.length + i) % COLOURS.length];
        return {
          label: data.series[key].label, data: data.series[key].values, borderColor: colour,
          backgroundColor: colour, borderDash: DASHES[i % DASHES.length], borderWidth: 2,
          pointRadius: 2, tension: 0, fill: false
        };
      });
      new window.Chart(canvas, {
        type: "line",
        data: { labels: data.months.map(function (m) { return "M" + m; }), datasets: datasets },
        options: {
          responsive: true, maintainAspectRatio: false, animation: reduceMotion ? false : { duration: 400 },
          interaction: { mode: "index", intersect: false },
          scales: {
            y: { min: 0, max: 100, title: { display: true, text: agirT("Part de la cohorte (%)") },
                 ticks: { callback: function (v) { return v + " %"; } } },
            x: { title: { display: true, text: agirT("Mois depuis l'entrée en accompagnement") } }
          },
          plugins: {
            legend: { position: "bottom" },
            tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + " : " + percent(ctx.parsed.y); } } }
          }
        }
      });
      canvas.setAttribute("data-drawn", "true");
    });
  }

  function bindPrintButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () { drawCohortCharts(); bindPrintButtons(); });
}());
