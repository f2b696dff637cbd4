// The import job's progress bar: polls the job's status JSON until it is finished, then reloads
// the page to show the row-by-row result. No inline script (CSP).
(function () {
  "use strict";
  var box = document.querySelector("[data-import-status]");
  if (!box) { return; }
  var url = box.getAttribute("data-import-status");
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-import-label]");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.total) { bar.max = state.total; bar.value = state.done; }
        label.textContent = state.status_label + " " + state.done + " / " + state.total + " (" + state.percent + "%)";
        if (state.finished) { window.location.reload(); } else { window.setTimeout(poll, 1500); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
