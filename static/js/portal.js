// Small behaviours the markup cannot declare. Everything else is htmx.
(function () {
  "use strict";

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

  function clearPicker() {
    var results = document.getElementById("picker-results");
    var search = document.getElementById("dependency-search");
    if (results) { results.innerHTML = ""; }
    if (search) { search.value = ""; search.focus(); }
  }
})();
