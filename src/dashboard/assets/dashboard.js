// The dashboard's only script (served from this server; the CSP allows no other): draws the
// throughput chart with uPlot and refreshes it. Everything else works without JavaScript;
// htmx refreshes the live panel of the overview.
(function () {
  'use strict';
  var REFRESH_MS = 10000;

  function drawChart(el) {
    var plot = null;
    function size() {
      return { width: Math.max(240, el.clientWidth), height: el.clientWidth < 500 ? 180 : 240 };
    }
    function load() {
      fetch(el.getAttribute('data-src'), { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (response) {
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.json();
        })
        .then(function (series) {
          var data = [series.minutes, series.completed, series.failed];
          el.setAttribute('data-loaded', String(Date.now()));
          el.setAttribute('data-completed', String(series.completed.reduce(function (a, b) { return a + b; }, 0)));
          el.setAttribute('data-failed', String(series.failed.reduce(function (a, b) { return a + b; }, 0)));
          if (plot) {
            plot.setData(data);
            return;
          }
          var dims = size();
          plot = new window.uPlot(
            {
              width: dims.width,
              height: dims.height,
              legend: { show: false },
              scales: { y: { range: function (_u, _min, max) { return [0, Math.max(5, max)]; } } },
              series: [
                {},
                { label: 'completed', stroke: '#1f7a3a', width: 2, fill: 'rgba(31,122,58,0.08)' },
                { label: 'failed', stroke: '#b3261e', width: 2 },
              ],
              axes: [{}, { size: 40 }],
            },
            data,
            el,
          );
          window.addEventListener('resize', function () {
            var next = size();
            plot.setSize(next);
          });
        })
        .catch(function (error) {
          el.setAttribute('data-error', String(error && error.message));
        });
    }
    load();
    setInterval(load, REFRESH_MS);
  }

  document.addEventListener('DOMContentLoaded', function () {
    var chart = document.getElementById('throughput-chart');
    if (chart && window.uPlot) drawChart(chart);
  });
})();
