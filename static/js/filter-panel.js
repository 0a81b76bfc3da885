// The list's filter panel (templates/portal/_filter_panel.html): folded behind its "Filtre" button on a phone.
// The markup shows the form and hides the button, so without JavaScript the filters stay usable.
(function () {
  "use strict";
  document.querySelectorAll(".filter-panel:not(.collapse)").forEach(function (panel) {
    panel.classList.add("collapse");
  });
  document.querySelectorAll(".filter-panel-toggle[hidden]").forEach(function (button) {
    button.hidden = false;
  });
})();
