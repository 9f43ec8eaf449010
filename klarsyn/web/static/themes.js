// Themes page: while the comments are re-read with a new taxonomy, poll the job's progress.
(function () {
  "use strict";
  var banner = document.querySelector("[data-reenrichment]");
  if (!banner) return;
  var progress = banner.querySelector("[data-progress]");
  function tick() {
    fetch(banner.dataset.poll, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) return;
        if (progress) progress.textContent = job.done.toLocaleString() + " / " + job.total.toLocaleString();
        if (job.state === "running") {
          window.setTimeout(tick, 2000);
        } else {
          // Finished (or failed): the figures on the page are now stale; show the new ones.
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 2000);
})();
