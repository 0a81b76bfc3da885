// The header's search across sections: suggestions while typing, as an ARIA 1.2 combobox (the input keeps
// the focus; arrow keys move through the options, Enter opens the active one, Escape closes the list).
// Without this file the form is a plain GET form to the results page.
(function () {
  "use strict";
  var MIN_LENGTH = 2;
  var DELAY = 200;

  function setUp(form, index) {
    var input = form.querySelector("input[name='q']");
    var list = form.querySelector(".search-suggestions");
    if (!input || !list) {
      return;
    }
    var url = form.getAttribute("data-suggest-url");
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    form.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", form.getAttribute("data-text-list"));

    var timer = null;
    var lastQuery = null;
    var request = 0;
    var active = -1;

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll("[role='option']"));
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function activate(position) {
      var all = options();
      if (!all.length) {
        return;
      }
      active = (position + all.length) % all.length;
      all.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
        option.classList.toggle("active", i === active);
      });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({block: "nearest"});
    }

    function option(id, title, detail, href) {
      var element = document.createElement("div");
      element.id = id;
      element.className = "list-group-item list-group-item-action search-option";
      element.setAttribute("role", "option");
      element.setAttribute("aria-selected", "false");
      element.setAttribute("data-url", href);
      var strong = document.createElement("span");
      strong.className = "d-block fw-semibold text-truncate";
      strong.textContent = title;
      element.appendChild(strong);
      if (detail) {
        var small = document.createElement("span");
        small.className = "d-block small text-truncate search-option-detail";
        small.textContent = detail;
        element.appendChild(small);
      }
      return element;
    }

    function draw(data) {
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var count = 0;
      data.groups.forEach(function (group) {
        var box = document.createElement("div");
        var labelId = "search-" + index + "-" + group.key;
        box.setAttribute("role", "group");
        box.setAttribute("aria-labelledby", labelId);
        var label = document.createElement("div");
        label.id = labelId;
        label.className = "list-group-item small fw-semibold text-uppercase search-group-label";
        label.setAttribute("role", "presentation");
        label.textContent = group.label;
        box.appendChild(label);
        group.hits.forEach(function (hit, i) {
          box.appendChild(option(labelId + "-" + i, hit.title, hit.detail, hit.url));
          count += 1;
        });
        list.appendChild(box);
      });
      if (count) {
        list.appendChild(option("search-" + index + "-all", form.getAttribute("data-text-all"), "", data.results_url));
        status.textContent = count + " " + form.getAttribute("data-text-count");
      } else {
        status.textContent = form.getAttribute("data-text-none");
      }
      list.hidden = !count;
      input.setAttribute("aria-expanded", count ? "true" : "false");
    }

    function suggest() {
      var query = input.value.trim();
      if (query === lastQuery) {
        return;
      }
      lastQuery = query;
      if (query.length < MIN_LENGTH) {
        close();
        return;
      }
      var mine = ++request;
      fetch(url + "?q=" + encodeURIComponent(query), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : {groups: []}; })
        .then(function (data) {
          if (mine === request) {
            draw(data);
          }
        })
        .catch(function () { /* suggestions are a convenience: Enter still opens the results page */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) {
          if (!options().length || lastQuery !== input.value.trim()) {
            lastQuery = null;
            suggest();
            return;
          }
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        event.preventDefault();
        activate(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        window.location.assign(options()[active].getAttribute("data-url"));
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      }
    });

    // mousedown, not click: the input keeps the focus, so the list is still there when the click ends.
    list.addEventListener("mousedown", function (event) {
      var target = event.target.closest("[role='option']");
      if (target) {
        event.preventDefault();
        window.location.assign(target.getAttribute("data-url"));
      }
    });

    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-global-search]"), setUp);
})();
