/**
 * The browser side of a report, inlined into the page: it reads the charts' data from a JSON script
 * element and draws each with uPlot. Plain ES2017 on purpose: it runs in whatever browser opens the file.
 * After drawing it sets window.__PEAKLAB_CHARTS__ = [{ id, title, points, series }] for browser tests;
 * `series` is [{ label, points, sum, max }] per drawn series (raw values, before stacking).
 */
export const CLIENT_SCRIPT = `
(function () {
  'use strict';
  var PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
  var payload = JSON.parse(document.getElementById('peaklab-data').textContent);
  var summary = [];
  var plots = [];

  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  function stats(s) {
    var out = { label: s.label, points: 0, sum: 0, max: null };
    s.values.forEach(function (v) {
      if (v === null || v === undefined) return;
      out.points++;
      out.sum += v;
      if (out.max === null || v > out.max) out.max = v;
    });
    return out;
  }

  function build(chart, el) {
    var n = chart.x.length;
    var acc = new Array(n).fill(0);
    var data = [chart.x.slice()];
    var raw = [null];
    var series = [{ label: chart.xLabel || 'second' }];
    var bands = [];
    var prevStacked = -1;
    var points = 0;
    var drawn = [];
    chart.series.forEach(function (s, i) {
      var color = s.color || PALETTE[i % PALETTE.length];
      var stacked = chart.stacked && !s.dash;
      var st = stats(s);
      drawn.push(st);
      points += st.points;
      var values = stacked
        ? s.values.map(function (v, j) { acc[j] += v || 0; return acc[j]; })
        : s.values.slice();
      var idx = data.length;
      data.push(values);
      raw.push(s.values);
      var opts = {
        label: s.label,
        stroke: color,
        width: s.dash ? 1.5 : 1.5,
        dash: s.dash ? [6, 4] : undefined,
        points: { show: false },
        value: function (u, v, si, di) {
          var r = di == null ? null : raw[si][di];
          return r == null ? '–' : (Math.round(r * 100) / 100).toString();
        },
      };
      if (stacked) {
        opts.fill = alpha(color, 0.55);
        if (prevStacked > 0) bands.push({ series: [idx, prevStacked], fill: alpha(color, 0.55) });
        prevStacked = idx;
      }
      if (s.kind === 'bars') {
        opts.paths = uPlot.paths.bars({ size: [0.9, 40] });
        opts.fill = alpha(color, 0.7);
      }
      series.push(opts);
    });
    var yMax = chart.yMax;
    var opts = {
      title: chart.title,
      width: Math.max(280, el.clientWidth - 8),
      height: 240,
      cursor: { sync: { key: 'peaklab' } },
      scales: {
        x: { time: false, range: chart.xRange ? function () { return chart.xRange; } : undefined },
        y: {
          range: function (u, min, max) {
            if (yMax != null) return [0, Math.max(yMax, 1)];
            return [Math.min(0, min), max > 0 ? max * 1.08 : 1];
          },
        },
      },
      axes: [{ label: chart.xLabel || 'seconds' }, { label: chart.yLabel || '', size: 64 }],
      series: series,
      bands: bands,
    };
    plots.push(new uPlot(opts, data, el));
    return { points: points, series: drawn };
  }

  payload.charts.forEach(function (chart) {
    var el = document.getElementById('chart-' + chart.id);
    if (!el) return;
    try {
      var built = build(chart, el);
      summary.push({ id: chart.id, title: chart.title, points: built.points, series: built.series });
    } catch (err) {
      el.textContent = 'This chart could not be drawn: ' + err;
      summary.push({ id: chart.id, title: chart.title, points: 0, series: [], error: String(err) });
    }
  });

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      plots.forEach(function (p) { p.setSize({ width: Math.max(280, p.root.parentNode.clientWidth - 8), height: 240 }); });
    }, 100);
  });
  window.__PEAKLAB_CHARTS__ = summary;
})();
`;
