// The dependency graph page. The filter form is htmx: it swaps the status, the
// neighbour list, the edge table and the export link (the server says the URL to
// push). This script draws /graph/figure.json for the status's data-figure-url with
// plotly, selects nodes and lights up their blast radius, and turns clicks on the
// picture (a group, a domain, "Focus here") into form changes. Without JavaScript
// the form, the neighbour list and the table still work.
(function () {
  "use strict";

  var plotly = document.getElementById("plotly-js");
  if (!plotly || !document.getElementById("graph-plot")) { return; }

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
  var prepared = null;      // the plot element listened to (a history restore brings a new one)
  window.__plots = window.__plots || 0;

  // plotly.js (4.8 MB) is preloaded by the page but run only once the first figure is
  // drawn as a plain SVG preview: compiling it holds the browser for a second or two.
  var ready = null;
  function loadPlotly() {
    if (!ready) {
      ready = new Promise(function (resolve, reject) {
        if (window.Plotly) { resolve(); return; }
        var script = document.createElement("script");
        script.src = plotly.href;
        script.onload = resolve;
        script.onerror = function () { reject(new Error("plotly.js did not load")); };
        document.head.appendChild(script);
      });
    }
    return ready;
  }

  // The page's parts, looked up afresh: the back button swaps in a new body.
  function page() {
    return {
      form: document.getElementById("graph-form"),
      plot: document.getElementById("graph-plot"),
      status: document.getElementById("graph-status"),
      panel: document.getElementById("graph-panel"),
      errors: document.getElementById("graph-errors")
    };
  }

  // An empty plot first, so that the first real drawing is counted by afterplot too.
  function prepare(plot) {
    if (prepared === plot) { return loadPlotly(); }
    prepared = plot;
    return loadPlotly().then(function () {
      var sketch = plot.querySelector(".graph-preview");
      if (sketch) { sketch.remove(); }
      return Plotly.newPlot(plot, [], { height: 200, xaxis: { visible: false },
                                        yaxis: { visible: false } }, config);
    }).then(function () {
      plot.on("plotly_afterplot", function () { window.__plots += 1; });
      plot.on("plotly_click", onClick);
    });
  }

  // Draw the figure the status names (fetched while plotly.js compiles on a first visit).
  function draw() {
    var parts = page();
    var url = parts.status.dataset.figureUrl;
    var number = ++request;
    var stage = parts.plot.closest(".graph-stage");
    stage.classList.add("loading");
    drawnWidth = parts.plot.clientWidth;
    var answer = fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "width=" + drawnWidth,
                       { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      });
    return answer
      .then(function (result) {
        if (number === request && result.ok && prepared !== parts.plot) {
          preview(parts.plot, result.body);  // plotly.js not run yet: a picture first
        }
        return prepare(parts.plot).then(function () { return result; });
      })
      .then(function (result) {
        if (number !== request) { return; }
        if (!result.ok) { showErrors(result.body); return; }
        showErrors(null);
        figure = result.body;
        selected = null;
        parts.panel.hidden = true;
        parts.plot.setAttribute("aria-label", "Dependency graph: " + figure.summary +
                                " The table of edges below lists the same edges.");
        var message = document.getElementById("graph-message");
        if (message) {  // the figure may add to the view's message (links left undrawn)
          message.textContent = figure.message || "";
          message.hidden = !figure.message;
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

  // The figure as a still SVG, from the same traces, shapes and labels plotly draws.
  var SVG = "http://www.w3.org/2000/svg";
  function preview(plot, body) {
    var layout = body.layout, margin = layout.margin;
    var width = plot.clientWidth, height = layout.height;
    var xr = layout.xaxis.range, yr = layout.yaxis.range;
    function sx(x) { return margin.l + (x - xr[0]) / (xr[1] - xr[0]) * (width - margin.l - margin.r); }
    function sy(y) { return margin.t + (yr[1] - y) / (yr[1] - yr[0]) * (height - margin.t - margin.b); }
    function add(parent, name, attributes) {
      var element = document.createElementNS(SVG, name);
      Object.keys(attributes).forEach(function (key) { element.setAttribute(key, attributes[key]); });
      parent.appendChild(element);
      return element;
    }
    function nth(value, i) { return Array.isArray(value) ? value[i] : value; }
    // Labels come escaped for plotly ("Reviews &amp; Ratings"); an SVG text wants the characters.
    var parser = new DOMParser();
    function plain(text) { return parser.parseFromString(text, "text/html").body.textContent; }
    var svg = add(plot, "svg", { "class": "graph-preview", width: width, height: height,
                                 "aria-hidden": "true" });
    (layout.shapes || []).forEach(function (shape) {
      if (shape.type !== "rect") { return; }
      add(svg, "rect", { x: sx(shape.x0), y: sy(Math.max(shape.y0, shape.y1)),
                         width: sx(shape.x1) - sx(shape.x0),
                         height: Math.abs(sy(shape.y1) - sy(shape.y0)),
                         fill: shape.fillcolor, "fill-opacity": shape.opacity });
    });
    (layout.annotations || []).forEach(function (note) {
      var font = note.font || { size: 11, color: "#475569" };
      add(svg, "text", { x: sx(note.x), y: sy(note.y) + font.size, fill: font.color,
                         "font-size": font.size }).textContent = plain(note.text);
    });
    body.data.forEach(function (trace) {
      var mode = trace.mode || "markers";
      if (mode.indexOf("lines") >= 0) {
        var path = "";
        trace.x.forEach(function (x, i) {
          if (x === null || trace.y[i] === null) { return; }
          path += (i === 0 || trace.x[i - 1] === null ? "M" : "L") + sx(x) + " " + sy(trace.y[i]);
        });
        add(svg, "path", { d: path, fill: "none", stroke: trace.line.color,
                           "stroke-width": trace.line.width,
                           "stroke-dasharray": trace.line.dash === "dot" ? "2 3" : "none" });
      }
      if (mode.indexOf("markers") < 0) { return; }
      var marker = trace.marker, line = marker.line || {};
      trace.x.forEach(function (x, i) {
        var cx = sx(x), cy = sy(trace.y[i]), r = nth(marker.size, i) / 2;
        var symbol = nth(marker.symbol, i), shape;
        if (symbol === "square") {
          shape = add(svg, "rect", { x: cx - r, y: cy - r, width: 2 * r, height: 2 * r });
        } else if (symbol === "diamond") {
          shape = add(svg, "polygon", { points: [cx, cy - r, cx + r, cy, cx, cy + r, cx - r, cy].join(" ") });
        } else {
          shape = add(svg, "circle", { cx: cx, cy: cy, r: r });
        }
        shape.setAttribute("fill", nth(marker.color, i));
        shape.setAttribute("stroke", nth(line.color, i) || "none");
        shape.setAttribute("stroke-width", nth(line.width, i) || 0);
        if (mode.indexOf("text") >= 0 && trace.text && trace.text[i]) {
          var where = nth(trace.textposition, i) || "bottom center";
          var font = trace.textfont || { size: 11, color: "#1e293b" }, size = font.size;
          add(svg, "text", {
            x: where.indexOf("right") >= 0 ? cx + r : where.indexOf("left") >= 0 ? cx - r : cx,
            y: where.indexOf("top") === 0 ? cy - r - 3 : cy + r + size,
            "text-anchor": where.indexOf("right") >= 0 ? "start"
              : where.indexOf("left") >= 0 ? "end" : "middle",
            "font-size": size, fill: font.color
          }).textContent = plain(trace.text[i]);
        }
      });
    });
    window.__previews = (window.__previews || 0) + 1;
  }

  function render() {
    var data = selected === null ? figure.data : highlighted(selected);
    return Plotly.react(page().plot, data, figure.layout, config);
  }

  function showErrors(body) {
    var box = page().errors;
    box.hidden = !body;
    box.textContent = "";
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
    box.appendChild(list);
  }

  // Ask the server for the view the form now describes (htmx swaps the parts).
  function apply() {
    htmx.trigger(page().form, "submit");
  }

  // Set the form from a query string (a neighbour list link).
  function fill(search) {
    var params = new URLSearchParams(search);
    Array.prototype.forEach.call(page().form.elements, function (field) {
      if (!field.name) { return; }
      if (field.type === "checkbox") {
        field.checked = params.get(field.name) === field.value;
      } else {
        field.value = params.get(field.name) || field.dataset.default || "";
      }
    });
  }

  // Open a "+N in domain X" group of a focus view.
  function expand(group) {
    var field = page().form.elements.expand;
    var open = field.value ? field.value.split(",") : [];
    if (open.indexOf(group) < 0) { open.push(group); }
    field.value = open.join(",");
    apply();
  }

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
    var panel = page().panel;
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
    page().panel.hidden = true;
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
      var form = page().form;
      form.elements.domain.value = node.slug;
      form.elements.aggregate.checked = false;
      if (form.elements.show) { form.elements.show.checked = false; }
      apply();
    } else {
      select(point.customdata);
    }
  }


  document.addEventListener("click", function (event) {
    var parts = page();
    var button = event.target.closest("#graph-panel [data-graph-action]");
    if (button) {
      var action = button.dataset.graphAction;
      if (action === "clear") { clearSelection(); return; }
      parts.form.elements.expand.value = "";
      parts.form.elements.focus.value = parts.panel.dataset.node;
      if (action === "blast") {
        parts.form.elements.direction.value = "up";
        parts.form.elements.depth.value = "10";
      }
      parts.form.elements.aggregate.checked = false;
      apply();
      return;
    }
    // The neighbour list's links (a name focuses on it, a group opens) redraw in place.
    var link = event.target.closest("#graph-neighbours a[href]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var url = new URL(link.href, window.location.href);
    if (url.pathname !== window.location.pathname) { return; }
    event.preventDefault();
    fill(url.search);
    apply();
  });
  // A change of any filter closes the groups opened so far (they belong to the old view).
  document.addEventListener("change", function (event) {
    var form = page().form;
    if (form && event.target.form === form && event.target.name !== "expand") {
      form.elements.expand.value = "";
    }
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { clearSelection(); }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "graph-status") { draw(); }
  });
  document.addEventListener("htmx:historyRestore", function () {
    if (page().plot) { figure = null; selected = null; draw(); }
  });
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      if (figure && Math.abs(page().plot.clientWidth - drawnWidth) > 40) { draw(); }
    }, 250);
  });

  draw();
})();
