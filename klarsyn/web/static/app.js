// Klarsyn dashboard: draws the charts whose Vega-Lite specs the page carries, and polls for new
// feedback. No inline scripts anywhere, so the Content-Security-Policy can forbid them.
(function () {
  "use strict";
  var script = document.currentScript;
  var liveTemplate = (script && script.dataset.liveLabel) || "{n} new feedback";

  // d3's Swedish conventions, so chart axes match the page's own dates and numbers.
  var SWEDISH = {
    formatLocale: { decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", " kr"],
      minus: "\u2212" },
    timeFormatLocale: {
      dateTime: "%A %e %B %Y %X", date: "%Y-%m-%d", time: "%H:%M:%S", periods: ["fm", "em"],
      days: ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
      shortDays: ["sön", "mån", "tis", "ons", "tor", "fre", "lör"],
      months: ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
        "september", "oktober", "november", "december"],
      shortMonths: ["jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt",
        "nov", "dec"],
    },
  };

  function drawCharts() {
    var locale = document.documentElement.lang === "sv" ? SWEDISH : {};
    document.querySelectorAll("[data-chart]").forEach(function (target) {
      var source = document.querySelector('[data-spec="' + target.dataset.chart + '"]');
      if (!source || !window.vegaEmbed) return;
      var spec = JSON.parse(source.textContent);
      // The interpreter evaluates Vega expressions without eval(), as the CSP requires.
      window.vegaEmbed(target, spec, Object.assign({
        actions: false,
        renderer: "svg",
        ast: true,
        expr: window.vegaInterpreter,
      }, locale)).catch(function (error) {
        target.textContent = String(error);
      });
    });
  }

  function poll(banner) {
    var url = new URL(banner.dataset.poll, window.location.href);
    url.searchParams.set("after", banner.dataset.newest);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && body.count > 0) {
          banner.querySelector("[data-live-count]").textContent =
            liveTemplate.replace("{n}", body.count.toLocaleString(document.documentElement.lang));
          banner.hidden = false;
        }
      })
      .catch(function () { /* offline for a moment: try again on the next tick */ });
  }

  function toggleCustomRange() {
    var select = document.querySelector("[data-custom-toggle]");
    if (!select) return;
    var update = function () {
      document.querySelectorAll(".custom-range").forEach(function (label) {
        label.hidden = select.value !== "custom";
      });
    };
    select.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    toggleCustomRange();
    var banner = document.querySelector("[data-live]");
    if (banner) {
      window.setInterval(function () { poll(banner); }, Number(banner.dataset.pollEvery) || 15000);
      // Coming back to the tab asks at once rather than waiting for the next tick.
      window.addEventListener("focus", function () { poll(banner); });
    }
  });
})();
