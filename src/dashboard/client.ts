/**
 * The browser side of the dashboard, inlined into the page (plain ES2017: it runs in whatever browser
 * opens a snapshot). It reads the state from the JSON element `peaklab-dashboard-data`, draws one
 * uPlot chart per panel that has data, and in live mode upserts the server's Server-Sent Events
 * (`init`: the whole state again; `points`: one second's values by series id).
 *
 * Every text that came from a target (labels, titles, errors) is set with textContent, never as HTML.
 * For browser tests it keeps `window.__PEAKLAB_CHARTS__` = [{ id, group, panel, title, points,
 * series: [{ label, points, sum, max, gaps }] }] (raw values; `gaps` counts runs of nulls with data on
 * both sides) and `window.__PEAKLAB_DASHBOARD__` = { mode, banners, updates, lastSecond, connected }.
 */
export const DASHBOARD_CLIENT = `
(function () {
  'use strict';
  var PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
  var STATUS_COLORS = { '2': '#16a34a', '3': '#2563eb', '4': '#d97706', '5': '#dc2626' };
  var D = JSON.parse(document.getElementById('peaklab-dashboard-data').textContent);
  var plots = [];
  var updates = 0;
  var connected = D.mode !== 'live';
  var byId = {};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function clock(ms) {
    return new Date(ms).toLocaleTimeString();
  }
  function fmt(v) {
    if (v === null || v === undefined) return '–';
    var a = Math.abs(v);
    return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(2);
  }
  function panelsOf(kind) {
    return kind === 'client' ? D.panels.client : D.panels.server;
  }
  function seriesOf(group, panel) {
    return D.series.filter(function (s) { return s.group === group && s.panel === panel; });
  }
  function index() {
    byId = {};
    D.series.forEach(function (s) { byId[s.id] = s; });
  }
  function colorOf(panel, label, i) {
    if (panel === 'status' && STATUS_COLORS[label.charAt(0)]) return STATUS_COLORS[label.charAt(0)];
    if (panel === 'work' && label === 'done') return '#16a34a';
    if (panel === 'work' && label === 'error') return '#dc2626';
    return PALETTE[i % PALETTE.length];
  }

  function stats(values) {
    var out = { points: 0, sum: 0, max: null, gaps: 0 };
    var seen = false;
    var inGap = false;
    values.forEach(function (v) {
      if (v === null || v === undefined) {
        if (seen) inGap = true;
        return;
      }
      if (inGap) out.gaps++;
      inGap = false;
      seen = true;
      out.points++;
      out.sum += v;
      if (out.max === null || v > out.max) out.max = v;
    });
    return out;
  }

  function chartData(spec, list) {
    var data = [D.x];
    var acc = D.x.map(function () { return 0; });
    list.forEach(function (s) {
      if (!spec.stacked) { data.push(s.values); return; }
      data.push(s.values.map(function (v, j) {
        if (v === null || v === undefined) return null;
        acc[j] += v;
        return acc[j];
      }));
    });
    return data;
  }

  function makePlot(group, spec, host) {
    var list = seriesOf(group.id, spec.id);
    var series = [{}];
    var bands = [];
    list.forEach(function (s, i) {
      var color = colorOf(spec.id, s.label, i);
      var opts = {
        label: s.label,
        stroke: color,
        width: 1.5,
        value: function (u, v, si, di) { return di == null ? '–' : fmt(list[si - 1].values[di]); },
      };
      if (spec.stacked) {
        opts.fill = alpha(color, 0.5);
        if (i > 0) bands.push({ series: [i + 1, i], fill: alpha(color, 0.5) });
      }
      series.push(opts);
    });
    var plot = new uPlot({
      title: spec.title,
      width: Math.max(300, host.clientWidth - 8),
      height: 220,
      cursor: { sync: { key: 'peaklab-dashboard' } },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [Math.min(0, min), max > 0 ? max * 1.1 : 1]; } } },
      axes: [{}, { label: spec.unit, size: 60 }],
      series: series,
      bands: bands,
    }, chartData(spec, list), host);
    plots.push({ plot: plot, group: group, spec: spec, list: list, host: host });
  }

  function banners() {
    var box = document.getElementById('banners');
    box.textContent = '';
    var texts = [];
    function add(cls, text) { box.appendChild(el('div', 'banner ' + cls, text)); texts.push(text); }
    if (!connected) add('down', 'Lost the connection to the dashboard server; retrying…');
    D.groups.forEach(function (g) {
      if (g.up !== false) return;
      var since = g.downSinceMs ? ' since ' + clock(g.downSinceMs) : '';
      add('down', 'Target ' + g.title + ' is down' + since + ': ' + (g.error || 'no answer'));
    });
    D.notices.forEach(function (n) { add('notice', n); });
    return texts;
  }

  function build() {
    plots.forEach(function (p) { p.plot.destroy(); });
    plots = [];
    index();
    var root = document.getElementById('groups');
    root.textContent = '';
    D.groups.forEach(function (g) {
      var section = el('section', 'group');
      // In the document before the charts are made: uPlot sizes each chart from its host's width.
      root.appendChild(section);
      var head = el('h2', '', g.title);
      if (g.url) head.appendChild(el('span', 'url', ' ' + g.url));
      var pill = g.up === false ? ['down', 'down'] : g.up === null ? ['waiting', 'waiting'] : ['up', 'up'];
      head.appendChild(el('span', 'pill ' + pill[0], pill[1]));
      section.appendChild(head);
      var grid = el('div', 'grid');
      section.appendChild(grid);
      var missing = [];
      panelsOf(g.kind).forEach(function (spec) {
        if (seriesOf(g.id, spec.id).length === 0) {
          missing.push(spec.title + (spec.metric ? ' (' + spec.metric + ')' : ''));
          return;
        }
        var host = el('div', 'chart');
        host.id = 'chart-' + g.id + '-' + spec.id;
        grid.appendChild(host);
        makePlot(g, spec, host);
      });
      if (missing.length > 0) {
        var what = g.kind === 'client' ? 'No data from the load generator for: ' : 'No data from this target for: ';
        if (missing.length === panelsOf(g.kind).length && g.up === null) what = 'Waiting for the first scrape of this target: ';
        section.appendChild(el('p', 'missing', what + missing.join(', ')));
      }
    });
    refresh();
  }

  function refresh() {
    var summary = [];
    plots.forEach(function (p) {
      p.plot.setData(chartData(p.spec, p.list));
      var series = p.list.map(function (s) {
        var st = stats(s.values);
        return { label: s.label, points: st.points, sum: st.sum, max: st.max, gaps: st.gaps };
      });
      summary.push({
        id: p.host.id, group: p.group.id, panel: p.spec.id, title: p.spec.title,
        points: series.reduce(function (a, s) { return a + s.points; }, 0), series: series,
      });
    });
    var texts = banners();
    document.querySelectorAll('.group').forEach(function (section, i) {
      var g = D.groups[i];
      var pill = section.querySelector('.pill');
      if (!g || !pill) return;
      var state = g.up === false ? 'down' : g.up === null ? 'waiting' : 'up';
      pill.className = 'pill ' + state;
      pill.textContent = state;
    });
    window.__PEAKLAB_CHARTS__ = summary;
    window.__PEAKLAB_DASHBOARD__ = {
      mode: D.mode, banners: texts, updates: updates, connected: connected,
      lastSecond: D.x.length ? D.x[D.x.length - 1] : null,
    };
  }

  function upsert(ev) {
    var x = D.x;
    var last = x.length ? x[x.length - 1] : null;
    if (last === null || ev.second - last > D.windowSeconds) {
      // First point, or a jump past the whole window (a laptop that slept): start the axis again.
      D.x = [ev.second];
      D.series.forEach(function (s) { s.values = [null]; });
    } else {
      for (var t = last + 1; t <= ev.second; t++) {
        x.push(t);
        D.series.forEach(function (s) { s.values.push(null); });
      }
      var extra = x.length - D.windowSeconds;
      if (extra > 0) {
        x.splice(0, extra);
        D.series.forEach(function (s) { s.values.splice(0, extra); });
      }
    }
    var i = ev.second - D.x[0];
    if (i >= 0) {
      Object.keys(ev.values).forEach(function (id) {
        var s = byId[id];
        if (s) s.values[i] = ev.values[id];
      });
    }
    var regroup = false;
    if (ev.groups) {
      regroup = JSON.stringify(ev.groups.map(function (g) { return [g.id, g.exposed]; })) !==
        JSON.stringify(D.groups.map(function (g) { return [g.id, g.exposed]; }));
      D.groups = ev.groups;
    }
    if (ev.notices) D.notices = ev.notices;
    updates++;
    if (regroup) build(); else later();
  }

  // Several events arrive each second (one per target, the clock, the client): draw once for all.
  var pending = null;
  function later() {
    if (pending !== null) return;
    pending = setTimeout(function () { pending = null; refresh(); }, 100);
  }

  function live() {
    var es = new EventSource('events');
    es.addEventListener('init', function (e) {
      var next = JSON.parse(e.data);
      next.mode = D.mode;
      D = next;
      connected = true;
      updates++;
      build();
    });
    es.addEventListener('points', function (e) { upsert(JSON.parse(e.data)); });
    es.onopen = function () { connected = true; refresh(); };
    es.onerror = function () { connected = false; refresh(); };
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      plots.forEach(function (p) { p.plot.setSize({ width: Math.max(300, p.host.clientWidth - 8), height: 220 }); });
    }, 100);
  });

  build();
  if (D.mode === 'live') live();
})();
`;
