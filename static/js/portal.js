// Small behaviours the markup cannot declare. Everything else is htmx.
(function () {
  "use strict";

  // Styles for pages without JavaScript (an empty chart area hidden) key on .no-js.
  document.documentElement.classList.remove("no-js");

  // The next free index for an API row of the capability form.
  window.nextApiIndex = function () {
    var max = -1;
    document.querySelectorAll("#api-rows [name$='-name']").forEach(function (input) {
      var match = /^apis-(\d+)-name$/.exec(input.name);
      if (match) { max = Math.max(max, parseInt(match[1], 10)); }
    });
    return max + 1;
  };

  // Buttons with data-remove-closest="<selector>" remove that ancestor.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-closest]");
    if (button) {
      var row = button.closest(button.dataset.removeClosest);
      if (row) { row.remove(); }
    }
  });

  // The "Add an API" button sends the next free row index (what hx-vals="js:..."
  // would do, without eval). Shareable URLs: a form with data-omit-blank sends only
  // the parameters that are set; a field with data-clears="other" empties that
  // field when it changes ("last N quarters" and "since" say the same thing).
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (form.hasAttribute("data-next-api-index")) {
      event.detail.parameters.index = window.nextApiIndex();
    }
    if (!form.matches || !form.matches("form[data-omit-blank]")) { return; }
    var params = event.detail.parameters;
    var changed = event.detail.triggeringEvent && event.detail.triggeringEvent.target;
    var clears = changed && changed.dataset && changed.dataset.clears;
    if (clears && changed.value && form.elements[clears]) {
      form.elements[clears].value = "";
      delete params[clears];
    }
    Object.keys(params).forEach(function (name) {
      if (params[name] === "") { delete params[name]; }
    });
  });

  // The search box searches as you type; its own change event (on blur) must not
  // search again (what the trigger filter change[target.id != 'q'] did, without eval).
  document.addEventListener("htmx:confirm", function (event) {
    var trigger = event.detail.triggeringEvent;
    if (event.detail.elt.id === "browse-form" && trigger && trigger.type === "change" &&
        trigger.target && trigger.target.id === "q") {
      event.preventDefault();
    }
  });

  // <select data-submit-on-change> submits its form when a choice is made.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-submit-on-change]")) { event.target.form.submit(); }
  });

  // Enter in a search-within-a-form box searches; it must not submit the form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("[data-enter-does-not-submit]")) {
      event.preventDefault();
      event.target.dispatchEvent(new Event("search", { bubbles: true }));
    }
  });

  // Picking a dependency twice does nothing; a pick clears the picker.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt.classList && elt.classList.contains("picker-choice")) {
      var list = document.getElementById("dependency-list");
      if (list.querySelector('[data-slug="' + CSS.escape(elt.dataset.slug) + '"]')) {
        event.preventDefault();
        clearPicker();
      }
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "dependency-list") {
      clearPicker();
    }
  });

  // A page link of a pager scrolls to the list it replaced and moves focus there,
  // as following a plain link to a new page would.
  document.addEventListener("htmx:afterSettle", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    var target = event.detail.target;
    if (!elt || !target || !elt.closest || !elt.closest(".pager")) { return; }
    if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
    target.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });

  // After a failed submit, focus goes to the first field in error (else the summary).
  document.addEventListener("DOMContentLoaded", function () {
    var first = document.querySelector("main [aria-invalid='true']");
    var summary = document.querySelector("main .form-errors");
    if (first) {
      first.focus();
    } else if (summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  });

  // The dependency picker's list answers the arrow keys: Down from the search box
  // enters it, Up and Down move between choices, Home and End jump, Escape goes back.
  document.addEventListener("keydown", function (event) {
    var search = event.target.closest && event.target.closest("[role='combobox'][aria-controls]");
    var option = event.target.closest && event.target.closest("[role='listbox'] [role='option']");
    if (!search && !option) { return; }
    var listbox = option ? option.closest("[role='listbox']")
      : document.querySelector("#" + CSS.escape(search.getAttribute("aria-controls")) + " [role='listbox']");
    if (!listbox) { return; }
    var options = Array.prototype.slice.call(listbox.querySelectorAll("[role='option']"));
    var index = options.indexOf(option);
    var next = null;
    if (event.key === "ArrowDown") { next = options[Math.min(index + 1, options.length - 1)]; }
    else if (event.key === "ArrowUp" && option) { next = index > 0 ? options[index - 1] : null; }
    else if (event.key === "Home" && option) { next = options[0]; }
    else if (event.key === "End" && option) { next = options[options.length - 1]; }
    else if (event.key === "Escape" && option) { next = null; }
    else { return; }
    event.preventDefault();
    options.forEach(function (o) { o.setAttribute("aria-selected", o === next ? "true" : "false"); });
    var back = document.querySelector("[aria-controls='" + listbox.parentElement.id + "']");
    (next || back || options[0]).focus();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var box = target && target.id && document.querySelector("[role='combobox'][aria-controls='" + target.id + "']");
    if (box) { box.setAttribute("aria-expanded", target.querySelector("[role='option']") ? "true" : "false"); }
  });

  function clearPicker() {
    var results = document.getElementById("picker-results");
    var search = document.getElementById("dependency-search");
    if (results) { results.innerHTML = ""; }
    if (search) { search.value = ""; search.focus(); }
  }
})();
