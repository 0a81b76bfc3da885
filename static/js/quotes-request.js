// Cerere ofertă: add and remove product rows in place, suggest catalogue products while typing,
// and show the address fields only when the delivery needs them. Without this file the form still
// works: "Adaugă un rând" and "Șterge rândul" are submit buttons the server answers.
(function () {
  "use strict";
  var form = document.querySelector("[data-quote-request-form]");
  if (!form) {
    return;
  }
  var lines = form.querySelector("[data-lines]");
  var template = document.getElementById("quote-line-template");
  var total = form.querySelector("input[name='lines-TOTAL_FORMS']");
  var addButton = form.querySelector("[data-add-line]");
  var maxLines = parseInt(lines.getAttribute("data-max-lines"), 10) || 50;
  var PREFIX = /lines-(\d+|__prefix__)-/g;

  function rows() {
    return Array.prototype.slice.call(lines.querySelectorAll("[data-line]"));
  }

  function renumber() {
    rows().forEach(function (row, index) {
      row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (element) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value) {
            element.setAttribute(attribute, value.replace(PREFIX, "lines-" + index + "-"));
          }
        });
      });
      row.querySelector("[data-remove-line]").value = index;
    });
    total.value = rows().length;
    addButton.disabled = rows().length >= maxLines;
  }

  addButton.addEventListener("click", function (event) {
    event.preventDefault();
    if (rows().length >= maxLines) {
      return;
    }
    lines.appendChild(template.content.cloneNode(true));
    renumber();
    var added = rows()[rows().length - 1];
    added.querySelector("input").focus();
  });

  lines.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-line]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var row = button.closest("[data-line]");
    var all = rows();
    if (all.length === 1) {
      row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      row.querySelector("input").focus();
      return;
    }
    var next = all[all.indexOf(row) + 1] || all[all.indexOf(row) - 1];
    row.remove();
    renumber();
    next.querySelector("input").focus();
  });

  // Catalogue suggestions: the page lists the first products; typing asks the server for the rest.
  var datalist = document.getElementById(form.querySelector(".quote-product-input").getAttribute("list"));
  var searchUrl = form.getAttribute("data-search-url");
  var timer = null;
  var lastQuery = "";

  function unitFor(value) {
    var options = datalist.querySelectorAll("option");
    for (var i = 0; i < options.length; i++) {
      if (options[i].value === value) {
        return options[i].getAttribute("data-unit");
      }
    }
    return null;
  }

  function search(query) {
    if (query === lastQuery || query.length < 2) {
      return;
    }
    lastQuery = query;
    fetch(searchUrl + "?q=" + encodeURIComponent(query), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : {results: []}; })
      .then(function (data) {
        if (!data.results.length) {
          return;
        }
        datalist.textContent = "";
        data.results.forEach(function (product) {
          var option = document.createElement("option");
          option.value = product.label;
          option.setAttribute("data-unit", product.unit);
          datalist.appendChild(option);
        });
      })
      .catch(function () { /* suggestions are a convenience: typing still works */ });
  }

  lines.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.classList.contains("quote-product-input")) {
      return;
    }
    var unit = unitFor(input.value);
    var unitInput = input.closest("[data-line]").querySelector("input[name$='-unit']");
    if (unit && unitInput && !unitInput.value) {
      unitInput.value = unit;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { search(input.value.trim()); }, 250);
  });

  // Delivery: the address is asked only for delivery to an address or by courier; a new address
  // only when none is picked from the address book.
  var addressSection = form.querySelector("[data-address-section]");
  var newAddress = form.querySelector("[data-new-address]");
  var addressEntry = form.querySelector("select[name='address_entry']");

  function showAddress() {
    var checked = form.querySelector("input[name='delivery_option']:checked");
    addressSection.hidden = Boolean(checked && checked.value === "pickup");
    newAddress.hidden = Boolean(addressEntry && addressEntry.value);
  }

  form.querySelectorAll("input[name='delivery_option']").forEach(function (radio) {
    radio.addEventListener("change", showAddress);
  });
  if (addressEntry) {
    addressEntry.addEventListener("change", showAddress);
  }
  showAddress();
  renumber();
})();
