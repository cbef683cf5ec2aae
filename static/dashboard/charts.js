// Draws every chart whose figure the page hands over with json_script; no inline script, so a strict CSP holds.
(function () {
  "use strict";
  function draw(container) {
    var source = document.getElementById(container.dataset.figure);
    if (!source || !window.Plotly) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    var config = {
      responsive: true,
      displaylogo: false,
      toImageButtonOptions: { format: "png", filename: container.dataset.filename || container.id, scale: 2 },
      // "Share chart" would upload the data to Plotly Cloud: not from a public ministry page, nor offline.
      modeBarButtonsToRemove: ["select2d", "lasso2d", "sendChartToCloud"]
    };
    window.Plotly.newPlot(container, figure.data, figure.layout, config);
  }
  function drawAll() {
    document.querySelectorAll("[data-figure]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
