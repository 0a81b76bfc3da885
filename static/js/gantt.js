// The project Gantt chart: draws the figure the server built (json_script "gantt-data") with
// plotly.js, adapts it to phone width, and switches between the chart and the same data as a table.
// No inline script anywhere: the page's Content-Security-Policy allows scripts from 'self' only.
(function () {
  "use strict";

  var source = document.getElementById("gantt-data");
  var chart = document.getElementById("gantt-chart");
  var chartView = document.getElementById("gantt-chart-view");
  var tableView = document.getElementById("gantt-table-view");
  var toggle = document.querySelector(".gantt-toggle");
  if (!source || !chart || !chartView || !tableView || !window.Plotly) {
    return; // without plotly.js the table stays on screen
  }
  var payload = JSON.parse(source.textContent);
  if (!payload) {
    return;
  }
  var Plotly = window.Plotly;

  if (payload.locale) {
    Plotly.register({
      moduleType: "locale",
      name: payload.locale.name,
      dictionary: payload.locale.dictionary,
      format: payload.locale.format
    });
  }

  var drawnWidth = null;

  function isCompact(width) {
    return width < payload.labels.compact_width;
  }

  function copy(value) {
    return JSON.parse(JSON.stringify(value));
  }

  // The row labels' column keeps the same width in pixels whatever the chart's width; at phone
  // width the labels are shorter, date ticks fewer, and the chart itself does not catch a drag so a
  // finger scrolls the page (zoom and pan stay on the toolbar). A long project then starts on the
  // weeks around today.
  function layoutFor(width, compact) {
    var layout = copy(payload.figure.layout);
    var plotWidth = Math.max(width - layout.margin.l - layout.margin.r, 1);
    var labels = compact ? payload.labels.compact_px : payload.labels.wide_px;
    var split = Math.min(0.6, labels / plotWidth);
    layout.xaxis.domain = [split, 1];
    layout.xaxis2.domain = [0, Math.max(0.01, split - 6 / plotWidth)];
    if (compact) {
      layout.xaxis.nticks = payload.compact.nticks;
      layout.font.size = payload.compact.font_size;
      layout.margin.r = 8;
      layout.dragmode = false;
      if (payload.compact.range) {
        layout.xaxis.range = payload.compact.range;
      }
    }
    return layout;
  }

  function dataFor(compact) {
    if (!compact) {
      return payload.figure.data;
    }
    return payload.figure.data.map(function (trace) {
      var shorter = trace.meta && payload.compact[trace.meta];
      if (!shorter) {
        return trace;
      }
      var result = Object.assign({}, trace, { text: shorter });
      result.textfont = Object.assign({}, trace.textfont, { size: payload.compact.font_size });
      return result;
    });
  }

  function configFor(compact) {
    var config = Object.assign({}, payload.config);
    if (compact) {
      // "Autoscale" shows the whole project when the phone layout starts on the weeks around today.
      config.modeBarButtonsToRemove = (config.modeBarButtonsToRemove || []).filter(function (name) {
        return name !== "autoScale2d";
      }).concat(["toImage"]);
      config.displayModeBar = true; // no mouse to reveal it on a phone
    }
    return config;
  }

  function draw() {
    var width = chart.clientWidth || chartView.clientWidth;
    var compact = isCompact(width);
    drawnWidth = width;
    return Plotly.react(chart, dataFor(compact), layoutFor(width, compact), configFor(compact)).then(function () {
      chart.setAttribute("data-gantt-ready", "true");
    });
  }

  function show(view) {
    var chartShown = view === "chart";
    chartView.hidden = !chartShown;
    tableView.hidden = chartShown;
    if (toggle) {
      toggle.querySelectorAll("[data-gantt-view]").forEach(function (button) {
        var pressed = button.getAttribute("data-gantt-view") === view;
        button.setAttribute("aria-pressed", pressed ? "true" : "false");
        button.classList.toggle("active", pressed);
      });
    }
    if (chartShown && (chart.clientWidth || chartView.clientWidth) !== drawnWidth) {
      draw();
    }
  }

  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function (event) {
      var button = event.target.closest("[data-gantt-view]");
      if (button) {
        show(button.getAttribute("data-gantt-view"));
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      if (!chartView.hidden && (chart.clientWidth || chartView.clientWidth) !== drawnWidth) {
        draw();
      }
    }, 200);
  });

  show("chart");
})();
