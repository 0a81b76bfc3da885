// The project Gantt chart: draws the figure the server built (json_script "gantt-data") with
// plotly.js, lays it out for the page's width, and switches between the chart and the same data as a table.
// No inline script anywhere: the page's Content-Security-Policy allows scripts from 'self' only.
//
// The server counts rows in row units; here each row gets a height in pixels (its label wrapped whole over
// as many lines as it needs) and the y axis counts pixels, so a bar stays as thick whatever its row's height.
// The date axis is drawn by a second plot in a strip that sticks under the page's header while the chart
// scrolls; the strip also carries the toolbar, and the two plots share one time range.
(function () {
  "use strict";

  var source = document.getElementById("gantt-data");
  var chart = document.getElementById("gantt-chart");
  var axis = document.getElementById("gantt-axis");
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
  var ROW_PX = (payload.rows && payload.rows.row_px) || 26;
  var LINE_PX = (payload.rows && payload.rows.line_px) || 15;
  var AXIS_PX = 60; // the strip: the toolbar's line, then the dates
  var LABEL_GAP = 8;
  var MIN_HEIGHT_PX = 160;

  if (payload.locale) {
    Plotly.register({
      moduleType: "locale",
      name: payload.locale.name,
      dictionary: payload.locale.dictionary,
      format: payload.locale.format
    });
  }

  var drawnWidth = null;
  var measure = document.createElement("canvas").getContext("2d");

  function isCompact(width) {
    return width < payload.labels.compact_width;
  }

  function copy(value) {
    return JSON.parse(JSON.stringify(value));
  }

  function plainText(html) {
    return html.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  // A label's words over lines no wider than `width` pixels; a word longer than a line keeps a line of its own.
  function wrap(text, font, width) {
    measure.font = font;
    var lines = [];
    var line = "";
    text.split(" ").forEach(function (word) {
      var longer = line ? line + " " + word : word;
      if (line && measure.measureText(plainText(longer)).width > width) {
        lines.push(line);
        line = word;
      } else {
        line = longer;
      }
    });
    lines.push(line);
    return lines;
  }

  // Each row's top, height, the middle of its bar and where its label hangs, in pixels from the chart's top.
  // At desktop width the label sits beside the bar, in the middle of the row; at phone width above the bar.
  function rowGeometry(lineCounts, compact) {
    var rows = { top: [], height: [], bar: [], label: [], total: 0 };
    lineCounts.forEach(function (lines) {
      var text = lines * LINE_PX;
      var height = compact ? text + ROW_PX - 2 : Math.max(ROW_PX, text + 10);
      rows.top.push(rows.total);
      rows.height.push(height);
      rows.bar.push(compact ? rows.total + text + (ROW_PX - 2) / 2 : rows.total + height / 2);
      rows.label.push(compact ? rows.total + 3 : rows.total + height / 2);
      rows.total += height;
    });
    return rows;
  }

  // A position in row units (a row's middle, or a row's edge at ±0.5) in pixels.
  function pixelsOf(rows, value) {
    if (value === null || value === undefined) {
      return value;
    }
    var row = Math.floor(value + 0.5);
    if (row >= rows.top.length) {
      return rows.total;
    }
    if (row < 0) {
      return 0;
    }
    var offset = value - row;
    if (offset === 0) {
      return rows.bar[row];
    }
    if (offset < 0) {
      return rows.top[row] + (rows.bar[row] - rows.top[row]) * (offset + 0.5) * 2;
    }
    var bottom = rows.top[row] + rows.height[row];
    return rows.bar[row] + (bottom - rows.bar[row]) * offset * 2;
  }

  function labelFont(trace, size) {
    var weight = trace.textfont && trace.textfont.weight === "bold" ? "bold " : "";
    return weight + size + "px " + payload.figure.layout.font.family;
  }

  // The figure in pixels: wrapped labels, rows as tall as their labels, bars and lines moved with their rows.
  function figureFor(width, compact) {
    var layout = copy(payload.figure.layout);
    var fontSize = compact ? payload.compact.font_size : layout.font.size;
    layout.margin.t = axis ? 6 : 40;
    layout.margin.b = 24;
    if (compact) {
      layout.margin.r = 8;
      layout.font.size = fontSize;
    }
    var plotWidth = Math.max(width - layout.margin.l - layout.margin.r, 1);
    var split = compact ? 0 : Math.min(0.6, payload.labels.wide_px / plotWidth);
    var labelWidth = compact ? plotWidth - 4 : split * plotWidth - LABEL_GAP;
    var rowCount = Math.round(layout.yaxis.range[0] + 0.5);
    var lineCounts = new Array(rowCount).fill(1);
    var wrapped = {};
    payload.figure.data.forEach(function (trace, index) {
      if (trace.mode !== "text") {
        return;
      }
      var font = labelFont(trace, fontSize);
      wrapped[index] = trace.text.map(function (text, i) {
        var lines = wrap(text, font, labelWidth);
        lineCounts[trace.y[i]] = Math.max(lineCounts[trace.y[i]], lines.length);
        return lines.join("<br>");
      });
    });
    var rows = rowGeometry(lineCounts, compact);
    var data = payload.figure.data.map(function (trace, index) {
      var result = Object.assign({}, trace);
      if (wrapped[index]) {
        result.text = wrapped[index];
        result.x = trace.y.map(function () { return 0; }); // the column's left edge (a fragment cached before: 1)
        result.y = trace.y.map(function (row) { return rows.label[row]; });
        result.textposition = compact ? "bottom right" : "middle right";
        result.textfont = Object.assign({}, trace.textfont, { size: fontSize });
        if (compact) {
          // Above its bar the label crosses the dependency lines and the grid: a white halo keeps it readable.
          result.textfont.shadow = "0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff";
        }
        return result;
      }
      result.y = trace.y.map(function (value) { return pixelsOf(rows, value); });
      if (typeof trace.width === "number") {
        result.width = trace.width * ROW_PX;
      }
      return result;
    });
    layout.shapes = layout.shapes.map(function (shape) {
      if (shape.yref !== "y") {
        return shape;
      }
      return Object.assign({}, shape, { y0: pixelsOf(rows, shape.y0), y1: pixelsOf(rows, shape.y1) });
    });
    // A short project keeps room under its rows for a hover label of six lines.
    layout.margin.b += Math.max(0, MIN_HEIGHT_PX - rows.total - layout.margin.t - layout.margin.b);
    layout.height = rows.total + layout.margin.t + layout.margin.b;
    layout.yaxis.range = [rows.total, 0];
    if (compact) {
      layout.xaxis.domain = [0, 1];
      layout.xaxis2 = Object.assign(layout.xaxis2, { domain: [0, 1], overlaying: "x" });
      layout.xaxis.nticks = payload.compact.nticks;
      layout.dragmode = false; // a finger scrolls the page; the strip's buttons zoom
    } else {
      layout.xaxis.domain = [split, 1];
      layout.xaxis2.domain = [0, Math.max(0.01, split - LABEL_GAP / plotWidth)];
    }
    if (axis) {
      layout.xaxis.showticklabels = false; // the strip shows the dates
      layout.xaxis.ticks = "";
    }
    return { data: data, layout: layout };
  }

  // The strip: the same time axis over the same columns, its dates above, the toolbar above them.
  function axisLayout(main) {
    return {
      height: AXIS_PX,
      margin: { l: main.margin.l, r: main.margin.r, t: AXIS_PX - 6, b: 0, pad: 2 },
      font: main.font,
      paper_bgcolor: "#ffffff",
      plot_bgcolor: "#ffffff",
      showlegend: false,
      dragmode: false,
      xaxis: Object.assign(copy(main.xaxis), { showticklabels: true, ticks: "outside", ticklen: 4, showgrid: false }),
      yaxis: { visible: false, fixedrange: true, range: [0, 1] },
      uirevision: main.uirevision
    };
  }

  function setDragmode(mode) {
    return function () {
      Plotly.relayout(chart, { dragmode: mode });
    };
  }

  function axisConfig(compact) {
    var words = (payload.locale && payload.locale.dictionary) || {};
    var Icons = Plotly.Icons;
    var download = {
      name: "download",
      title: words["Download plot as a PNG"] || "Download plot as a PNG",
      icon: Icons.camera,
      click: function () {
        var options = payload.config.toImageButtonOptions || {};
        Plotly.downloadImage(chart, { format: "png", filename: options.filename, scale: options.scale });
      }
    };
    var buttons = [["zoomIn2d", "zoomOut2d", "resetScale2d"]];
    if (!compact) {
      buttons.unshift([
        { name: "zoom", title: words.Zoom || "Zoom", icon: Icons.zoombox, click: setDragmode("zoom") },
        { name: "pan", title: words.Pan || "Pan", icon: Icons.pan, click: setDragmode("pan") }
      ]);
      buttons.push([download]);
    }
    return {
      displaylogo: false,
      responsive: true,
      displayModeBar: true,
      locale: payload.config.locale,
      modeBarButtons: buttons
    };
  }

  // Zoom and pan on either plot move the other: the chart by a drag, the strip by its buttons.
  var syncing = false;

  function follow(from, to) {
    from.on("plotly_relayout", function () {
      if (syncing) {
        return;
      }
      var range = from._fullLayout.xaxis.range.slice();
      var current = to._fullLayout && to._fullLayout.xaxis.range;
      if (current && current[0] === range[0] && current[1] === range[1]) {
        return;
      }
      syncing = true;
      Plotly.relayout(to, { "xaxis.range": range }).then(function () {
        syncing = false;
      }, function () {
        syncing = false;
      });
    });
  }

  function stickBelowHeader() {
    var header = document.querySelector(".portal-header");
    var offset = header && window.getComputedStyle(header).position === "sticky" ? header.offsetHeight : 0;
    axis.style.setProperty("--gantt-axis-top", offset + "px");
  }

  function draw() {
    var width = chart.clientWidth || chartView.clientWidth;
    var compact = isCompact(width);
    drawnWidth = width;
    var figure = figureFor(width, compact);
    var config = Object.assign({}, payload.config, axis ? { displayModeBar: false } : {});
    var drawn = [Plotly.react(chart, figure.data, figure.layout, config)];
    if (axis) {
      stickBelowHeader();
      drawn.push(Plotly.react(axis, [], axisLayout(figure.layout), axisConfig(compact)));
    }
    return Promise.all(drawn).then(function () {
      if (axis && !chart.getAttribute("data-gantt-ready")) {
        follow(chart, axis);
        follow(axis, chart);
      }
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
