// Draws the dashboard charts from the figure dicts the server put in <script type="application/json">.
// A figure's "compact" entries (layout paths → values) apply below phone width, e.g. slanted month labels;
// the charts are drawn again when the page crosses that width.
(function () {
  "use strict";
  if (typeof Plotly === "undefined") { return; }
  var PHONE_PX = 576;

  function setPath(target, path, value) {
    var keys = path.split(".");
    var last = keys.pop();
    keys.forEach(function (key) {
      target[key] = target[key] || {};
      target = target[key];
    });
    target[last] = value;
  }

  function layoutFor(figure, compact) {
    var layout = JSON.parse(JSON.stringify(figure.layout));
    if (compact && figure.compact) {
      Object.keys(figure.compact).forEach(function (path) { setPath(layout, path, figure.compact[path]); });
    }
    return layout;
  }

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) { return; }
    charts.push({ element: element, figure: JSON.parse(source.textContent), compact: null });
  });

  function draw() {
    charts.forEach(function (chart) {
      var compact = chart.element.clientWidth < PHONE_PX;
      if (compact === chart.compact) { return; }
      chart.compact = compact;
      Plotly.react(chart.element, chart.figure.data, layoutFor(chart.figure, compact), {
        displayModeBar: false, responsive: true
      });
    });
  }

  draw();
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(draw, 200);
  });
})();
