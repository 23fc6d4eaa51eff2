// The dependency graph page: draws /graph/figure.json with plotly, redraws when a
// filter changes (no page reload, the URL follows), selects nodes and lights up
// their blast radius. Without JavaScript the form and the edge table still work.
(function () {
  "use strict";

  var form = document.getElementById("graph-form");
  var plot = document.getElementById("graph-plot");
  var plotly = document.getElementById("plotly-js");
  if (!form || !plot || !plotly) { return; }

  var stage = plot.closest(".graph-stage");
  var panel = document.getElementById("graph-panel");
  var details = document.getElementById("graph-table-details");
  var tableBox = document.getElementById("graph-table");
  var exportLink = document.getElementById("graph-export");
  var errorsBox = document.getElementById("graph-errors");
  var neighbours = document.getElementById("graph-neighbours");
  var config = {
    responsive: true, displaylogo: false, scrollZoom: false, showSendToCloud: false,
    showEditInChartStudio: false, showLink: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "sendDataToCloud"]
  };
  var BLAST = "#dc2626";
  var FADED = 0.15;

  var figure = null;        // the figure.json drawn last
  var selected = null;      // index of the selected node in figure.nodes
  var request = 0;          // number of the latest request: older answers are dropped
  var drawnWidth = 0;
  var tableQuery = query(); // the server rendered the table for the page's own query
  window.__plots = window.__plots || 0;

  // This script runs before plotly.js (both deferred), so the first figure is
  // fetched while plotly.js compiles. An empty plot comes first, so that the
  // first real drawing is counted by the afterplot listener too.
  var ready = new Promise(function (resolve) {
    if (window.Plotly) { resolve(); } else { plotly.addEventListener("load", resolve); }
  }).then(function () {
    return Plotly.newPlot(plot, [], { height: 200, xaxis: { visible: false },
                                      yaxis: { visible: false } }, config);
  }).then(function () {
    plot.on("plotly_afterplot", function () { window.__plots += 1; });
    plot.on("plotly_click", onClick);
  });

  // The form as a query string: blanks left out, depth and direction only with a focus.
  function query() {
    var params = new URLSearchParams();
    var focus = form.elements.focus.value.trim();
    new FormData(form).forEach(function (value, name) {
      var field = form.elements[name];
      value = String(value).trim();
      if (!value) { return; }
      if (field.dataset && field.dataset.default !== undefined &&
          (!focus || value === field.dataset.default)) { return; }
      params.append(name, value);
    });
    return params.toString();
  }

  // Set the form from a query string (back and forward buttons).
  function fill(search) {
    var params = new URLSearchParams(search);
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name) { return; }
      if (field.type === "checkbox") {
        field.checked = params.get(field.name) === field.value;
      } else {
        field.value = params.get(field.name) || field.dataset.default || "";
      }
    });
  }

  function draw(push) {
    var qs = query();
    var suffix = qs ? "?" + qs : "";
    if (push) { history.pushState(null, "", form.action + suffix); }
    exportLink.href = plot.dataset.exportUrl + suffix;
    var number = ++request;
    stage.classList.add("loading");
    drawnWidth = plot.clientWidth;
    var url = plot.dataset.figureUrl + "?" + (qs ? qs + "&" : "") + "width=" + drawnWidth;
    return fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) { return ready.then(function () { return answer; }); })
      .then(function (answer) {
        if (number !== request) { return; }
        if (!answer.ok) { showErrors(answer.body); return; }
        showErrors(null);
        figure = answer.body;
        selected = null;
        panel.hidden = true;
        showStatus(figure);
        markTable(qs);
        if (neighbours && window.htmx) {
          htmx.ajax("GET", neighbours.dataset.url + suffix, { target: neighbours, swap: "innerHTML" });
        }
        return render();
      })
      .catch(function (error) {
        if (number === request) { showErrors({ error: "The graph could not be loaded: " + error.message }); }
      })
      .then(function () {
        if (number === request) { stage.classList.remove("loading"); }
      });
  }

  function render() {
    var data = selected === null ? figure.data : highlighted(selected);
    return Plotly.react(plot, data, figure.layout, config);
  }

  function showStatus(fig) {
    document.getElementById("graph-summary").textContent = fig.summary;
    var message = document.getElementById("graph-message");
    message.textContent = fig.message || "";
    message.hidden = !fig.message;
    var hubs = document.getElementById("graph-hubs");
    hubs.querySelector("span").textContent = fig.hubs.map(function (h) { return h.name; }).join(", ");
    hubs.hidden = fig.hubs.length === 0;
    plot.setAttribute("aria-label", "Dependency graph: " + fig.summary +
                      " The table of edges below lists the same edges.");
  }

  function showErrors(body) {
    errorsBox.hidden = !body;
    errorsBox.textContent = "";
    if (!body) { return; }
    var messages = [];
    if (body.errors) {
      Object.keys(body.errors).forEach(function (field) { messages = messages.concat(body.errors[field]); });
    } else {
      messages.push(body.error || "The graph could not be drawn.");
    }
    var list = document.createElement("ul");
    messages.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
    errorsBox.appendChild(list);
  }

  // The edge table follows the figure; it is fetched when it is open.
  function markTable(qs) {
    if (qs !== tableQuery) {
      tableQuery = qs;
      tableBox.dataset.stale = "true";
    }
    if (details.open) { loadTable(); }
  }

  function loadTable() {
    if (tableBox.dataset.stale !== "true") { return; }
    tableBox.dataset.stale = "false";
    htmx.ajax("GET", plot.dataset.tableUrl + (tableQuery ? "?" + tableQuery : ""),
              { target: tableBox, swap: "innerHTML" });
  }

  // Distances from node ``start`` to each of its dependents (its blast radius).
  function blastRadius(start) {
    var consumers = figure.nodes.map(function () { return []; });
    figure.edges.forEach(function (edge) { consumers[edge[1]].push(edge[0]); });
    var distance = new Int32Array(figure.nodes.length).fill(-1);
    distance[start] = 0;
    var queue = [start];
    for (var k = 0; k < queue.length; k++) {
      consumers[queue[k]].forEach(function (c) {
        if (distance[c] < 0) { distance[c] = distance[queue[k]] + 1; queue.push(c); }
      });
    }
    return distance;
  }

  // The figure with everything outside the selected node's blast radius faded.
  function highlighted(index) {
    var distance = blastRadius(index);
    var inside = function (n) { return distance[n] >= 0; };
    var data = [];
    var xs = [], ys = [];
    figure.edges.forEach(function (edge) {
      if (inside(edge[0]) && inside(edge[1])) {
        var a = figure.nodes[edge[0]], b = figure.nodes[edge[1]];
        xs.push(a.x, b.x, null);
        ys.push(a.y, b.y, null);
      }
    });
    var type = figure.gl ? "scattergl" : "scatter";
    var blastTrace = { type: type, mode: "lines", x: xs, y: ys, hoverinfo: "skip", showlegend: false,
                       name: "Blast radius", line: { color: BLAST, width: 2 } };
    var added = false;
    figure.data.forEach(function (trace) {
      if (!trace.customdata) { data.push(trace); return; }
      if (!added) { data.push(blastTrace); added = true; }
      var copy = Object.assign({}, trace);
      copy.marker = Object.assign({}, trace.marker, {
        opacity: trace.customdata.map(function (n) { return inside(n) ? 1 : FADED; })
      });
      if (trace.text) {
        copy.textfont = Object.assign({}, trace.textfont, {
          color: trace.customdata.map(function (n) { return inside(n) ? "#0f172a" : "#cbd5e1"; })
        });
      }
      data.push(copy);
    });
    var node = figure.nodes[index];
    data.push({ type: type, mode: "markers", x: [node.x], y: [node.y], customdata: [index],
                hoverinfo: "skip", showlegend: false, name: "Selected",
                marker: { symbol: "circle-open", size: 30, color: BLAST, line: { width: 3 } } });
    return data;
  }

  function select(index) {
    selected = index;
    var node = figure.nodes[index];
    var distance = blastRadius(index);
    var capabilities = 0, businesses = 0;
    distance.forEach(function (d, n) {
      if (d > 0) {
        if (figure.nodes[n].kind === "business") { businesses += 1; } else { capabilities += 1; }
      }
    });
    panel.querySelector("h2").textContent = node.name;
    panel.querySelector(".graph-panel-facts").textContent = facts(node);
    panel.querySelector(".graph-panel-blast").textContent = node.kind === "business" ? "" :
      "Blast radius in this view: " + capabilities + " capabilities and " + businesses +
      " businesses depend on it.";
    panel.querySelector(".graph-open").href = node.url;
    panel.dataset.node = node.id;
    panel.hidden = false;
    return render();
  }

  function facts(node) {
    if (node.kind === "business") { return "Business · " + node.consumers + " consumers"; }
    if (node.kind === "domain") {
      return "Domain · " + node.size + " capabilities · " + node.internal_edges + " dependencies inside";
    }
    return [node.domain_name, "owner " + (node.team_name || "none"), "tier " + node.tier,
            node.lifecycle, node.consumers + " direct consumers",
            "reached by " + node.reach + " businesses"].join(" · ");
  }

  function clearSelection() {
    if (selected === null) { return; }
    selected = null;
    panel.hidden = true;
    render();
  }

  function onClick(event) {
    var point = event.points && event.points[0];
    if (!figure || !point || typeof point.customdata !== "number") { return; }
    var node = figure.nodes[point.customdata];
    var mouse = event.event || {};
    if (mouse.ctrlKey || mouse.metaKey || mouse.shiftKey) {
      window.location.href = node.url;
    } else if (node.kind === "group") {
      expand(node.id);
    } else if (node.kind === "domain") {
      form.elements.domain.value = node.slug;
      form.elements.aggregate.checked = false;
      if (form.elements.show) { form.elements.show.checked = false; }
      draw(true);
    } else {
      select(point.customdata);
    }
  }

  // Open a "+N in domain X" group of a focus view in place.
  function expand(group) {
    var open = form.elements.expand.value ? form.elements.expand.value.split(",") : [];
    if (open.indexOf(group) < 0) { open.push(group); }
    form.elements.expand.value = open.join(",");
    draw(true);
  }

  // The neighbour list's links (a name focuses on it, a group opens) redraw in place.
  if (neighbours) {
    neighbours.addEventListener("click", function (event) {
      var link = event.target.closest("a[href]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      var url = new URL(link.href, window.location.href);
      if (url.pathname !== window.location.pathname) { return; }
      event.preventDefault();
      fill(url.search);
      draw(true);
    });
  }

  panel.addEventListener("click", function (event) {
    var button = event.target.closest("[data-graph-action]");
    if (!button) { return; }
    var action = button.dataset.graphAction;
    if (action === "clear") { clearSelection(); return; }
    form.elements.expand.value = "";
    form.elements.focus.value = panel.dataset.node;
    if (action === "blast") {
      form.elements.direction.value = "up";
      form.elements.depth.value = "10";
    }
    form.elements.aggregate.checked = false;
    draw(true);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { clearSelection(); }
  });
  form.addEventListener("change", function (event) {
    if (event.target.name !== "expand") { form.elements.expand.value = ""; }
    draw(true);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    draw(true);
  });
  details.addEventListener("toggle", function () { if (details.open) { loadTable(); } });
  window.addEventListener("popstate", function () {
    fill(location.search);
    draw(false);
  });
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      if (figure && Math.abs(plot.clientWidth - drawnWidth) > 40) { draw(false); }
    }, 250);
  });

  draw(false);
})();
