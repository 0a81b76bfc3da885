// Every page: a confirmation dialog before irreversible actions, and POST forms that cannot be sent twice.
//
// <form method="post" data-confirm="Question?" data-confirm-body="What happens, what cannot be undone"
//       data-confirm-button="Label of the confirm button" data-confirm-style="danger|success|primary|warning">
// opens the dialog of templates/base.html (#confirm-dialog) instead of submitting. Without this file the form
// posts at once and the server still checks everything, as it always did.
//
// While a POST form is being sent its submit buttons are disabled and the one pressed says "Se trimite…",
// so a double click sends one request; they come back when the page is shown again from the back/forward cache.
(function () {
  "use strict";

  var dialogElement = document.getElementById("confirm-dialog");
  var sendingLabel = (dialogElement && dialogElement.getAttribute("data-sending-label")) || "…";
  var STYLES = ["primary", "secondary", "success", "danger", "warning"];
  // The form the dialog has just confirmed: its next submit event is let through.
  var confirmedForm = null;

  function submitButtons(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.type === "submit" && (element.tagName === "BUTTON" || element.tagName === "INPUT");
    });
  }

  function showSending(button) {
    button.setAttribute("data-idle-html", button.tagName === "INPUT" ? button.value : button.innerHTML);
    if (button.tagName === "INPUT") {
      button.value = sendingLabel;
      return;
    }
    var spinner = document.createElement("span");
    spinner.className = "spinner-border spinner-border-sm me-1";
    spinner.setAttribute("aria-hidden", "true");
    button.replaceChildren(spinner, document.createTextNode(sendingLabel));
  }

  function markSending(form, submitter) {
    var buttons = submitButtons(form);
    buttons.forEach(function (button) {
      if (!button.disabled) {
        button.disabled = true;
        button.setAttribute("data-sending", "");
      }
    });
    var shown = submitter && buttons.indexOf(submitter) !== -1 ? submitter : buttons[0];
    if (shown && shown.hasAttribute("data-sending")) {
      showSending(shown);
    }
  }

  function restore(form) {
    form.removeAttribute("data-submitting");
    submitButtons(form).forEach(function (button) {
      if (button.hasAttribute("data-idle-html")) {
        if (button.tagName === "INPUT") {
          button.value = button.getAttribute("data-idle-html");
        } else {
          button.innerHTML = button.getAttribute("data-idle-html");
        }
        button.removeAttribute("data-idle-html");
      }
      if (button.hasAttribute("data-sending")) {
        button.disabled = false;
        button.removeAttribute("data-sending");
      }
    });
  }

  function isPost(form) {
    return (form.getAttribute("method") || "get").toLowerCase() === "post";
  }

  function setUpDialog() {
    var modal = window.bootstrap.Modal.getOrCreateInstance(dialogElement);
    var title = dialogElement.querySelector("[data-confirm-title]");
    var body = dialogElement.querySelector("[data-confirm-text]");
    var accept = dialogElement.querySelector("[data-confirm-accept]");
    var defaultLabel = accept.textContent;
    var pending = null;

    function ask(form, submitter) {
      var style = form.getAttribute("data-confirm-style");
      var active = document.activeElement;
      pending = {
        form: form,
        submitter: submitter,
        opener: active && active !== document.body && !dialogElement.contains(active) ? active : submitter,
      };
      title.textContent = form.getAttribute("data-confirm");
      body.textContent = form.getAttribute("data-confirm-body") || "";
      body.hidden = !body.textContent;
      accept.textContent = form.getAttribute("data-confirm-button") || defaultLabel;
      accept.className = "btn btn-" + (STYLES.indexOf(style) !== -1 ? style : "primary");
      modal.show();
    }

    dialogElement.addEventListener("shown.bs.modal", function () {
      accept.focus();
    });
    // Bootstrap gives focus back only to a data-bs-toggle opener; this dialog is opened by a form.
    dialogElement.addEventListener("hidden.bs.modal", function () {
      if (pending && pending.opener && document.contains(pending.opener) && !pending.opener.disabled) {
        pending.opener.focus();
      }
      pending = null;
    });
    accept.addEventListener("click", function () {
      if (!pending) {
        return;
      }
      var chosen = pending;
      modal.hide();
      if (chosen.opener) {
        chosen.opener.focus();
      }
      confirmedForm = chosen.form;
      if (chosen.submitter) {
        chosen.form.requestSubmit(chosen.submitter);
      } else {
        chosen.form.requestSubmit();
      }
      confirmedForm = null;
    });
    return ask;
  }

  var ask = dialogElement && window.bootstrap ? setUpDialog() : null;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-submitting")) {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) {
      return;
    }
    if (ask && form.hasAttribute("data-confirm") && form !== confirmedForm) {
      event.preventDefault();
      ask(form, event.submitter);
      return;
    }
    if (!isPost(form) || (form.target && form.target !== "_self")) {
      return;
    }
    form.setAttribute("data-submitting", "");
    var submitter = event.submitter;
    // After this event: the browser reads the pressed button's name=value only now, and a disabled button
    // would be left out; a later listener may also still cancel the submit.
    window.setTimeout(function () {
      if (event.defaultPrevented) {
        form.removeAttribute("data-submitting");
      } else {
        markSending(form, submitter);
      }
    }, 0);
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-submitting]").forEach(restore);
    }
  });
})();
