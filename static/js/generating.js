// A document being generated (templates/files/generating.html, billing/built_export.html): instead of
// reloading the page every few seconds (a meta refresh takes the reader's place on the page away, WCAG 2.2.1),
// ask the server with HEAD whether it is ready and only then open it. The server answers "still working"
// with a Retry-After header. Without this file, a <noscript> meta refresh does the same.
(function () {
  "use strict";

  function watch(element) {
    var checkUrl = element.getAttribute("data-check-url");
    var openUrl = element.getAttribute("data-open-url") || checkUrl;
    var seconds = parseInt(element.getAttribute("data-seconds"), 10) || 5;

    function check() {
      fetch(checkUrl, { method: "HEAD", credentials: "same-origin", cache: "no-store", redirect: "manual" })
        .then(function (response) {
          if (response.type !== "opaqueredirect" && response.headers.has("Retry-After")) {
            var wait = parseInt(response.headers.get("Retry-After"), 10) || seconds;
            window.setTimeout(check, wait * 1000);
          } else {
            window.location.assign(openUrl);
          }
        })
        .catch(function () {
          window.setTimeout(check, seconds * 2000);
        });
    }

    window.setTimeout(check, seconds * 1000);
  }

  document.querySelectorAll("[data-generating]").forEach(watch);
})();
