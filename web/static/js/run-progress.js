// Shows a running match run's progress without reloading the page every few seconds: asks the
// run's status URL, writes the step into the live region, and opens the proposals when done.
// Without script the page has an "Opdater" link instead. No inline script: the CSP allows only ours.
(function () {
  "use strict";
  var box = document.querySelector("[data-run-status-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-run-status-url");
  var live = box.querySelector("[data-run-progress]");
  var delay = 1500;
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin", cache: "no-store"})
      .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); })
      .then(function (run) {
        if (run.status !== "running" && run.status !== "queued") { window.location.reload(); return; }
        if (live && run.message && live.textContent !== run.message) { live.textContent = run.message; }
        delay = Math.min(delay * 1.3, 8000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { delay = Math.min(delay * 2, 15000); window.setTimeout(poll, delay); });
  }
  window.setTimeout(poll, delay);
}());
