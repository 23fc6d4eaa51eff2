// Draws a page's charts with plotly.js. Each [data-figure="name"] element gets the
// figure of that name from the JSON data island #figures ({name: {data, layout,
// summary}}, built by graphs/charts.py). A filter form with data-figures-url redraws
// them in place when a filter changes: it fetches {figures, parts, links} for the
// form's query, swaps the page parts (ids -> HTML) and link targets, and pushes the
// URL so the filtered view can be shared. window.__plots counts plotly_afterplot.
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

  var form = document.querySelector("form[data-figures-url]");
  if (!form) { return; }
  var errorsBox = document.getElementById("figure-errors");
  var request = 0;  // number of the latest request: older answers are dropped

  // The form as a query string, blanks left out.
  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      value = String(value).trim();
      if (value) { params.append(name, value); }
    });
    return params.toString();
  }

  // Set the form from a query string (back and forward buttons).
  function fill(search) {
    var params = new URLSearchParams(search);
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name) { field.value = params.get(field.name) || ""; }
    });
  }

  function refresh(push) {
    var qs = query();
    var suffix = qs ? "?" + qs : "";
    if (push) { history.pushState(null, "", form.action + suffix); }
    var number = ++request;
    document.body.classList.add("charts-loading");
    return fetch(form.dataset.figuresUrl + suffix, { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (number !== request) { return null; }
        showErrors(answer.ok ? null : answer.body.errors || { page: [answer.body.error] });
        if (!answer.ok) { return null; }
        Object.keys(answer.body.parts).forEach(function (id) {
          var part = document.getElementById(id);
          if (part) { part.innerHTML = answer.body.parts[id]; }
        });
        Object.keys(answer.body.links).forEach(function (id) {
          var link = document.getElementById(id);
          if (link) { link.href = answer.body.links[id]; }
        });
        return draw(answer.body.figures);
      })
      .catch(function (error) {
        if (number === request) { showErrors({ page: ["The charts could not be loaded: " + error.message] }); }
      })
      .then(function () {
        if (number === request) { document.body.classList.remove("charts-loading"); }
      });
  }

  function showErrors(errors) {
    errorsBox.hidden = !errors;
    errorsBox.textContent = "";
    if (!errors) { return; }
    var list = document.createElement("ul");
    Object.keys(errors).forEach(function (field) {
      errors[field].forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
      });
    });
    errorsBox.appendChild(list);
  }

  // A field with data-clears="other" empties that field when it changes
  // ("last N quarters" and "since" are two ways of saying the same thing).
  form.addEventListener("change", function (event) {
    var clears = event.target.dataset && event.target.dataset.clears;
    if (clears && event.target.value && form.elements[clears]) { form.elements[clears].value = ""; }
    refresh(true);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    refresh(true);
  });
  window.addEventListener("popstate", function () {
    fill(window.location.search);
    refresh(false);
  });
})();
