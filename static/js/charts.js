// Draws a page's charts with plotly.js. Each [data-figure="name"] element gets the
// figure of that name from the JSON data island #figures ({name: {data, layout,
// summary}}, built by graphs/charts.py). Filters are htmx forms that swap a part of
// the page holding its own island; the charts are drawn again from it.
// window.__plots counts plotly_afterplot.
(function () {
  "use strict";

  var island = document.getElementById("figures");
  var plotly = document.getElementById("plotly-js");
  if (!island || !plotly) { return; }

  var config = { responsive: true, displaylogo: false, displayModeBar: false, showSendToCloud: false };
  var NARROW = 560;  // px: below this, legends and margins tighten
  window.__plots = window.__plots || 0;

  var ready = new Promise(function (resolve) {
    if (window.Plotly) { resolve(); } else { plotly.addEventListener("load", resolve); }
  });

  function plots() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
  }

  // A narrow chart keeps its left margin small and its title short of the edge.
  function fitted(element, layout) {
    if (element.clientWidth >= NARROW || !layout.margin) { return layout; }
    var copy = Object.assign({}, layout);
    copy.margin = Object.assign({}, layout.margin, { l: Math.min(layout.margin.l, 44) });
    return copy;
  }

  // The first drawing of an element starts from an empty plot, so that its
  // afterplot listener exists before the real figure is drawn and counted.
  var prepared = new WeakMap();
  function prepare(element) {
    if (!prepared.has(element)) {
      prepared.set(element, Plotly.newPlot(element, [], {}, config).then(function () {
        element.on("plotly_afterplot", function () { window.__plots += 1; });
      }));
    }
    return prepared.get(element);
  }

  function draw(figures) {
    return ready.then(function () {
      return Promise.all(plots().map(function (element) {
        var figure = figures[element.dataset.figure];
        if (!figure) { return null; }
        var caption = document.querySelector('[data-summary="' + element.dataset.figure + '"]');
        if (caption) { caption.textContent = figure.summary; }
        element.setAttribute("aria-label", figure.layout.title ? figure.layout.title.text : "");
        return prepare(element).then(function () {
          return Plotly.react(element, figure.data, fitted(element, figure.layout), config);
        });
      }));
    });
  }

  draw(JSON.parse(island.textContent));

  // A filter form redraws its part of the page through htmx (hx-get, hx-push-url);
  // the new part brings its own data island: draw it. The same after the back button.
  function redraw() {
    var fresh = document.getElementById("figures");
    if (fresh) { draw(JSON.parse(fresh.textContent)); }
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.querySelector("#figures")) { redraw(); }
  });
  document.addEventListener("htmx:historyRestore", redraw);
})();
