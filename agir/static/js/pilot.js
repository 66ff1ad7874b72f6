/* The pilot's pages: cohort curves drawn with Chart.js from the JSON embedded in the page
   (no inline script: the Content-Security-Policy forbids it), and the print buttons. */
(function () {
  "use strict";

  // DSFR colours (blue France, red Marianne) with the line style as a second cue.
  var OBSERVED = "#000091";
  var ESTIMATE = "#C9191E";

  function percent(value) {
    return value.toLocaleString(document.documentElement.lang || "fr", { maximumFractionDigits: 1 }) + " %";
  }

  // One chart per milestone: the share of the members observed (solid) and the Kaplan–Meier estimate
  // (dashed steps); under each month, the members observed that month (the « at risk » row of survival plots).
  function drawCohortCharts() {
    var source = document.getElementById("pilot-cohort-data");
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    document.querySelectorAll("canvas[data-cohort-milestone]").forEach(function (canvas) {
      var series = data.series[canvas.getAttribute("data-cohort-milestone")];
      if (!series) { return; }
      new window.Chart(canvas, {
        type: "line",
        data: {
          labels: data.months.map(function (m, i) { return ["M" + m, data.observed[i]]; }),
          datasets: [
            { label: data.labels.observed_share, data: series.observed_share, borderColor: OBSERVED,
              backgroundColor: OBSERVED, borderWidth: 2, pointRadius: 2, tension: 0, fill: false, spanGaps: false },
            { label: data.labels.km, data: series.km, borderColor: ESTIMATE, backgroundColor: ESTIMATE,
              borderDash: [6, 4], borderWidth: 2, pointRadius: 2, stepped: "before", fill: false, spanGaps: false }
          ]
        },
        options: {
          responsive: true, maintainAspectRatio: false, animation: reduceMotion ? false : { duration: 400 },
          interaction: { mode: "index", intersect: false },
          scales: {
            y: { min: 0, max: 100, title: { display: true, text: data.labels.y },
                 ticks: { callback: function (v) { return v + " %"; } } },
            x: { title: { display: true, text: data.labels.x }, ticks: { autoSkip: false, maxRotation: 0 } }
          },
          plugins: {
            legend: { position: "bottom" },
            tooltip: { callbacks: {
              title: function (items) {
                if (!items.length) { return ""; }
                var i = items[0].dataIndex;
                return "M" + data.months[i] + " — " + data.labels.observed + " : " + data.observed[i];
              },
              label: function (ctx) { return ctx.dataset.label + " : " + percent(ctx.parsed.y); } } }
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
