// Draws every chart whose figure the page hands over with json_script; no inline script, so a strict CSP holds.
// Plotly (1 MB, half a second of a phone's main thread) is fetched when a chart is a third in view and each chart is
// drawn then. On a phone-sized screen charts wait for the reader to scroll (or touch, or press a key) first: the page
// is ready to read and scroll at once, and Plotly starts as the reader moves towards the charts.
(function () {
  "use strict";
  var script = document.currentScript;
  var plotly = null;
  var narrow = window.matchMedia("(max-width: 599.98px)");

  function loadPlotly() {
    if (!plotly) {
      plotly = new Promise(function (resolve, reject) {
        var element = document.createElement("script");
        element.src = script.dataset.plotly;
        element.onload = function () { resolve(window.Plotly); };
        element.onerror = reject;
        document.head.appendChild(element);
      });
    }
    return plotly;
  }

  // A legend below the plot grows with its entries: one a line on a phone, about three a line on a wider screen.
  function fitted(layout, traces) {
    var entries = traces.filter(function (trace) { return trace.showlegend !== false; }).length;
    var perLine = narrow.matches ? 1 : 3;
    var legend = Math.ceil(entries / perLine) * 22;
    var base = layout.height || (narrow.matches ? 300 : 380);
    var margin = Object.assign({}, layout.margin, { b: (layout.margin.b || 40) + legend + 8 });
    return Object.assign({}, layout, { height: base + legend, margin: margin, autosize: true });
  }

  // A name longer than the legend's line would run off the chart: it is cut to fit (the hover label keeps it whole).
  function named(traces, width) {
    var longest = Math.max(16, Math.floor((width - 60) / 7.5));
    return traces.map(function (trace) {
      var name = trace.name || "";
      return name.length > longest ? Object.assign({}, trace, { name: name.slice(0, longest - 1) + "\u2026" }) : trace;
    });
  }

  var drawn = [];

  function render(chart, Plotly, method) {
    var layout = fitted(chart.figure.layout, chart.figure.data);
    chart.container.style.height = layout.height + "px";
    chart.width = chart.container.clientWidth;
    Plotly[method](chart.container, named(chart.figure.data, chart.width), layout, chart.config);
  }

  function draw(container, Plotly) {
    var source = document.getElementById(container.dataset.figure);
    var chart = {
      container: container,
      figure: JSON.parse(source.textContent),
      config: {
        responsive: true,
        displaylogo: false,
        // plotly.js 4 shows by default a button that uploads the chart to Plotly Cloud: no reader's data leaves.
        showSendToCloud: false,
        locale: document.documentElement.lang === "da" ? "da" : "en",
        toImageButtonOptions: { format: "png", filename: container.dataset.filename || container.id, scale: 2 },
        modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"]
      }
    };
    container.textContent = "";
    render(chart, Plotly, "newPlot");
    drawn.push(chart);
  }

  // A phone turned sideways or a window widened: the legend's names and lines are fitted again to the new width
  // (Plotly's own resize only scales the plot).
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      drawn.forEach(function (chart) {
        if (chart.container.clientWidth !== chart.width) {
          plotly.then(function (Plotly) { render(chart, Plotly, "react"); });
        }
      });
    }, 150);
  });

  function start() {
    var charts = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
    if (!charts.length) {
      return;
    }
    var show = function (container) {
      loadPlotly().then(function (Plotly) { draw(container, Plotly); });
    };
    if (!("IntersectionObserver" in window)) {
      charts.forEach(show);
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          show(entry.target);
        }
      });
    }, { threshold: 0.33 });
    var observe = function () {
      charts.forEach(function (chart) { observer.observe(chart); });
    };
    if (!narrow.matches) {
      observe();
      return;
    }
    var events = ["scroll", "touchstart", "keydown", "pointerdown", "wheel"];
    var first = function () {
      events.forEach(function (name) { window.removeEventListener(name, first, true); });
      observe();
    };
    events.forEach(function (name) { window.addEventListener(name, first, { capture: true, passive: true }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
