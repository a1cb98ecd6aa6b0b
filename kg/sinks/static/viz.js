/* kg viz: draws the graph embedded in #kg-data as SVG with a force-directed layout.
 * Part of kg (Apache-2.0); no third-party code. Every name goes into the DOM through
 * textContent (never innerHTML), and only http(s) URLs become links. */
(function () {
  'use strict';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var COLORS = {
    Method: '#1f77b4', Dataset: '#2ca02c', Task: '#ff7f0e', Metric: '#9467bd',
    Repository: '#8c564b', Paper: '#7f7f7f', Result: '#e377c2'
  };
  var ORDER = ['Method', 'Dataset', 'Task', 'Metric', 'Repository', 'Paper', 'Result'];

  var data = JSON.parse(document.getElementById('kg-data').textContent);
  var svg = document.getElementById('graph');
  var details = document.getElementById('details');
  var search = document.getElementById('search');
  var matchesBox = document.getElementById('matches');

  function color(label) { return COLORS[label] || '#17becf'; }

  /* ------------------------------------------------------------ DOM helpers */
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'text') e.textContent = attrs[k];
        else if (k === 'cls') e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function sv(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function safeUrl(u) {
    return (typeof u === 'string' && /^https?:\/\//i.test(u)) ? u : null;
  }
  function link(text, url) {
    var u = safeUrl(url);
    if (!u) return document.createTextNode(text);
    var a = el('a', { text: text, target: '_blank', rel: 'noopener noreferrer' });
    a.href = u;
    return a;
  }
  function short(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }

  /* ------------------------------------------------------------ model */
  var nodes = data.nodes.map(function (d, i) {
    return { d: d, i: i, x: 0, y: 0, r: Math.min(22, 4 + 2.2 * Math.sqrt(d.shownDeg || 0)) };
  });
  var byId = {};
  nodes.forEach(function (n) { byId[n.d.id] = n; });
  // one drawn line per ordered pair; it may stand for several relations
  var pairs = [], pairIndex = {};
  data.edges.forEach(function (e) {
    var a = byId[e.source], b = byId[e.target];
    if (!a || !b || a === b) return;
    var k = e.source + '\u0000' + e.target;
    var p = pairIndex[k];
    if (!p) { p = pairIndex[k] = { a: a, b: b, rels: [] }; pairs.push(p); }
    p.rels.push(e);
  });
  var adj = nodes.map(function () { return []; });
  pairs.forEach(function (p) {
    p.mentionsOnly = p.rels.every(function (r) { return r.type === 'MENTIONS'; });
    adj[p.a.i].push(p); adj[p.b.i].push(p);
  });

  /* ------------------------------------------------------------ layout */
  // Fruchterman-Reingold with gravity, run to completion before the first paint, from a
  // deterministic spiral start (most connected in the middle), so a page always looks
  // the same.
  function layout() {
    var n = nodes.length, K = 46, GRAVITY = 0.015;
    var order = nodes.slice().sort(function (p, q) {
      return (q.d.center ? 1 : 0) - (p.d.center ? 1 : 0) || q.d.shownDeg - p.d.shownDeg || p.i - q.i;
    });
    var golden = Math.PI * (3 - Math.sqrt(5));
    order.forEach(function (nd, j) {
      nd.x = K * Math.sqrt(j) * Math.cos(j * golden);
      nd.y = K * Math.sqrt(j) * Math.sin(j * golden);
    });
    if (n < 2) return;
    var iters = n <= 400 ? 300 : Math.max(40, Math.floor(300 * 160000 / (n * n)));
    var temp = K * Math.sqrt(n) / 2, dx, dy, d2, d, f, i, j;
    var fx = new Float64Array(n), fy = new Float64Array(n);
    var cut2 = (10 * K) * (10 * K);
    for (var it = 0; it < iters; it++) {
      fx.fill(0); fy.fill(0);
      for (i = 0; i < n; i++) {
        var a = nodes[i];
        for (j = i + 1; j < n; j++) {
          var b = nodes[j];
          dx = a.x - b.x; dy = a.y - b.y; d2 = dx * dx + dy * dy;
          if (d2 > cut2) continue;
          if (d2 < 0.01) { dx = 0.1 * ((i % 7) - 3) + 0.05; dy = 0.1 * ((j % 5) - 2) + 0.05; d2 = dx * dx + dy * dy; }
          f = K * K / d2;
          fx[i] += dx * f; fy[i] += dy * f; fx[j] -= dx * f; fy[j] -= dy * f;
        }
      }
      for (i = 0; i < pairs.length; i++) {
        var p = pairs[i];
        dx = p.a.x - p.b.x; dy = p.a.y - p.b.y; d = Math.sqrt(dx * dx + dy * dy) || 0.01;
        f = d / K * (p.mentionsOnly ? 0.35 : 1) / Math.sqrt(Math.max(1, Math.min(adj[p.a.i].length, adj[p.b.i].length)));
        fx[p.a.i] -= dx * f; fy[p.a.i] -= dy * f; fx[p.b.i] += dx * f; fy[p.b.i] += dy * f;
      }
      for (i = 0; i < n; i++) {
        var q = nodes[i];
        fx[i] -= q.x * GRAVITY; fy[i] -= q.y * GRAVITY;
        d = Math.sqrt(fx[i] * fx[i] + fy[i] * fy[i]);
        if (d > 0) { var m = Math.min(d, temp) / d; q.x += fx[i] * m; q.y += fy[i] * m; }
      }
      temp = Math.max(temp * 0.985, 0.5);
    }
    var c = nodes.filter(function (nd) { return nd.d.center; })[0];
    if (c) { var cx = c.x, cy = c.y; nodes.forEach(function (nd) { nd.x -= cx; nd.y -= cy; }); }
  }

  /* ------------------------------------------------------------ drawing */
  var view = { s: 1, tx: 0, ty: 0 };
  var gEdges = sv('g', { 'class': 'edges' });
  var gNodes = sv('g', { 'class': 'nodes' });
  var gLabels = sv('g', { 'class': 'labels' });
  var defs = sv('defs', {});
  var marker = sv('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5',
    markerUnits: 'userSpaceOnUse', markerWidth: '8', markerHeight: '8', orient: 'auto' });
  marker.appendChild(sv('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#8c959f' }));
  defs.appendChild(marker);
  svg.appendChild(defs); svg.appendChild(gEdges); svg.appendChild(gNodes); svg.appendChild(gLabels);

  var hiddenTypes = {};
  var showMentions = true;
  var selected = null;        // {kind: 'node'|'pair', obj}
  var matchSet = null;        // set of node indexes matching the search

  function build() {
    pairs.forEach(function (p) {
      var types = p.rels.map(function (r) { return r.type; });
      p.line = sv('line', { 'class': 'edge' + (p.mentionsOnly ? ' mentions' : ''),
        'marker-end': 'url(#arrow)' });
      p.hit = sv('line', { 'class': 'edge-hit' });
      var t = sv('title', {});
      t.textContent = p.a.d.name + ' \u2192 ' + p.b.d.name + ' (' + types.join(', ') + ')';
      p.hit.appendChild(t);
      p.hit.addEventListener('mousedown', function (ev) { ev.stopPropagation(); });
      p.hit.addEventListener('click', function (ev) { ev.stopPropagation(); select('pair', p); });
      gEdges.appendChild(p.line); gEdges.appendChild(p.hit);
    });
    nodes.forEach(function (nd) {
      nd.circle = sv('circle', { 'class': 'node' + (nd.d.center ? ' center' : ''),
        r: nd.r.toFixed(1), fill: color(nd.d.label) });
      nd.circle.setAttribute('data-id', nd.d.id);
      var t = sv('title', {});
      t.textContent = nd.d.name + ' [' + nd.d.label + ']';
      nd.circle.appendChild(t);
      nd.label = sv('text', { 'class': 'label' + (nd.d.shownDeg >= 8 || nd.d.center ? ' major' : '') });
      nd.label.textContent = short(nd.d.name, 48);
      nd.circle.addEventListener('mousedown', function (ev) { startDrag(ev, nd); });
      nd.circle.addEventListener('click', function (ev) { ev.stopPropagation(); });
      gNodes.appendChild(nd.circle); gLabels.appendChild(nd.label);
    });
  }

  function sx(n) { return n.x * view.s + view.tx; }
  function sy(n) { return n.y * view.s + view.ty; }

  function visible(nd) { return !hiddenTypes[nd.d.label]; }
  function pairVisible(p) {
    return visible(p.a) && visible(p.b) && (showMentions || !p.mentionsOnly);
  }

  function draw() {
    pairs.forEach(function (p) {
      var x1 = sx(p.a), y1 = sy(p.a), x2 = sx(p.b), y2 = sy(p.b);
      var dx = x2 - x1, dy = y2 - y1, d = Math.sqrt(dx * dx + dy * dy) || 1;
      var ex = x2 - dx / d * (p.b.r + 1.5), ey = y2 - dy / d * (p.b.r + 1.5);
      [p.line, p.hit].forEach(function (l) {
        l.setAttribute('x1', x1.toFixed(1)); l.setAttribute('y1', y1.toFixed(1));
        l.setAttribute('x2', ex.toFixed(1)); l.setAttribute('y2', ey.toFixed(1));
      });
      var hide = !pairVisible(p);
      p.line.classList.toggle('hidden', hide); p.hit.classList.toggle('hidden', hide);
    });
    nodes.forEach(function (nd) {
      nd.circle.setAttribute('cx', sx(nd).toFixed(1));
      nd.circle.setAttribute('cy', sy(nd).toFixed(1));
      nd.circle.classList.toggle('hidden', !visible(nd));
    });
    placeLabels();
    applyFocus();
  }

  // Show as many labels as fit without overlapping, most important first; the selected
  // node, its neighbours and search matches always get theirs.
  function placeLabels() {
    var W = svg.clientWidth || 1200, H = svg.clientHeight || 800;
    // must: labelled even when crowded; first: labelled first when there is room
    var must = {}, first = {};
    if (selected && selected.kind === 'node') {
      must[selected.obj.i] = first[selected.obj.i] = true;
      adj[selected.obj.i].forEach(function (p) { first[p.a.i] = true; first[p.b.i] = true; });
    }
    if (selected && selected.kind === 'pair') {
      must[selected.obj.a.i] = must[selected.obj.b.i] = true;
      first[selected.obj.a.i] = first[selected.obj.b.i] = true;
    }
    if (matchSet) {
      var few = Object.keys(matchSet).length <= 12;
      Object.keys(matchSet).forEach(function (k) { first[k] = true; if (few) must[k] = true; });
    }
    var order = nodes.slice().sort(function (p, q) {
      return (must[q.i] ? 1 : 0) - (must[p.i] ? 1 : 0) || (first[q.i] ? 1 : 0) - (first[p.i] ? 1 : 0) ||
        (q.d.center ? 1 : 0) - (p.d.center ? 1 : 0) ||
        q.d.shownDeg - p.d.shownDeg || p.i - q.i;
    });
    var boxes = [];
    function free(box) {
      return box[0] >= 0 && box[2] <= W && box[1] >= 0 && box[3] <= H && !boxes.some(function (b) {
        return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3];
      });
    }
    order.forEach(function (nd) {
      var major = nd.label.classList.contains('major');
      var w = nd.label.textContent.length * (major ? 7.4 : 6.4), h = major ? 15 : 13;
      var x = sx(nd), y = sy(nd), g = nd.r + 3;
      // right or left of the node: [text x, baseline y, anchor, box]
      var spots = [[x + g, y + 4, 'start', [x + g, y - h + 7, x + g + w, y + 7]],
                   [x - g, y + 4, 'end', [x - g - w, y - h + 7, x - g, y + 7]]];
      var spot = null;
      if (visible(nd)) {
        for (var k = 0; k < spots.length && !spot; k++) if (free(spots[k][3])) spot = spots[k];
        if (!spot && must[nd.i]) spot = spots[0];
      }
      var s = spot || spots[0];
      nd.label.setAttribute('x', s[0].toFixed(1)); nd.label.setAttribute('y', s[1].toFixed(1));
      nd.label.setAttribute('text-anchor', s[2]);
      if (spot) boxes.push(spot[3]);
      nd.label.classList.toggle('hidden', !spot);
    });
  }

  function applyFocus() {
    var focus = null;
    if (selected && selected.kind === 'node') {
      focus = {}; focus[selected.obj.i] = true;
      adj[selected.obj.i].forEach(function (p) { if (pairVisible(p)) { focus[p.a.i] = true; focus[p.b.i] = true; } });
    } else if (selected && selected.kind === 'pair') {
      focus = {}; focus[selected.obj.a.i] = true; focus[selected.obj.b.i] = true;
    }
    if (matchSet) focus = matchSet;
    nodes.forEach(function (nd) {
      var dim = focus !== null && !focus[nd.i];
      nd.circle.classList.toggle('dim', dim); nd.label.classList.toggle('dim', dim);
      nd.circle.classList.toggle('match', !!(matchSet && matchSet[nd.i]));
      nd.circle.classList.toggle('sel', !!(selected && selected.kind === 'node' && selected.obj === nd));
    });
    pairs.forEach(function (p) {
      var on = selected && ((selected.kind === 'pair' && selected.obj === p) ||
        (selected.kind === 'node' && (p.a === selected.obj || p.b === selected.obj)));
      var dim = focus !== null && !(focus[p.a.i] && focus[p.b.i]);
      p.line.classList.toggle('sel', !!on); p.line.classList.toggle('dim', dim && !on);
    });
  }

  function fit() {
    var W = svg.clientWidth || 1200, H = svg.clientHeight || 800;
    var shown = nodes.filter(visible);
    if (!shown.length) { view = { s: 1, tx: W / 2, ty: H / 2 }; return; }
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    shown.forEach(function (n) {
      x0 = Math.min(x0, n.x); x1 = Math.max(x1, n.x); y0 = Math.min(y0, n.y); y1 = Math.max(y1, n.y);
    });
    // room for labels, which mostly extend to the right of their node
    var padL = 50, padR = Math.min(170, W / 5), padY = 40;
    var s = Math.min((W - padL - padR) / Math.max(x1 - x0, 1), (H - 2 * padY) / Math.max(y1 - y0, 1));
    s = Math.min(s, 2.5);
    view = { s: s, tx: padL + (W - padL - padR) / 2 - s * (x0 + x1) / 2, ty: H / 2 - s * (y0 + y1) / 2 };
  }

  /* ------------------------------------------------------------ interaction */
  var drag = null;
  function point(ev) {
    var r = svg.getBoundingClientRect();
    return { x: ev.clientX - r.left, y: ev.clientY - r.top };
  }
  function startDrag(ev, nd) {
    ev.stopPropagation(); ev.preventDefault();
    drag = { node: nd, start: point(ev), moved: false };
  }
  svg.addEventListener('mousedown', function (ev) {
    drag = { node: null, start: point(ev), tx: view.tx, ty: view.ty, moved: false };
    svg.classList.add('panning');
  });
  window.addEventListener('mousemove', function (ev) {
    if (!drag) return;
    var p = point(ev), dx = p.x - drag.start.x, dy = p.y - drag.start.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    if (!drag.moved) return;
    if (drag.node) {
      drag.node.x = (p.x - view.tx) / view.s; drag.node.y = (p.y - view.ty) / view.s;
    } else {
      view.tx = drag.tx + dx; view.ty = drag.ty + dy;
    }
    draw();
  });
  window.addEventListener('mouseup', function () {
    if (drag && !drag.moved) {
      if (drag.node) select('node', drag.node); else select(null, null);
    }
    drag = null; svg.classList.remove('panning');
  });
  svg.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var p = point(ev), k = Math.exp(-ev.deltaY * 0.0015);
    var s = Math.min(Math.max(view.s * k, 0.05), 20);
    view.tx = p.x - (p.x - view.tx) * s / view.s; view.ty = p.y - (p.y - view.ty) * s / view.s;
    view.s = s; draw();
  }, { passive: false });
  window.addEventListener('resize', function () { draw(); });

  function centerOn(nd) {
    var W = svg.clientWidth || 1200, H = svg.clientHeight || 800;
    view.tx = W / 2 - nd.x * view.s; view.ty = H / 2 - nd.y * view.s;
  }

  /* ------------------------------------------------------------ details panel */
  function paperItem(pid) {
    var p = data.papers[pid] || {};
    var li = el('li', null, [link(short(p.title || pid, 140), p.url)]);
    if (p.date) li.appendChild(el('span', { cls: 'key', text: ' ' + p.date }));
    var nd = byId['paper:' + pid];
    if (nd) {
      var b = el('button', { cls: 'link', text: ' \u25b8' , title: 'show this paper in the graph' });
      b.addEventListener('click', function () { select('node', nd); centerOn(nd); draw(); });
      li.appendChild(b);
    }
    return li;
  }
  function nodeButton(nd) {
    var b = el('button', { cls: 'link', text: nd.d.name });
    b.addEventListener('click', function () { select('node', nd); centerOn(nd); draw(); });
    return b;
  }
  function kindBadge(label) {
    var s = el('span', { cls: 'kind', text: label });
    s.style.background = color(label);
    return s;
  }
  function evidenceBlock(ev) {
    var p = data.papers[ev.paper] || {};
    var where = short(p.title || ev.paper, 90) +
      (ev.field === 'title' ? ' (title)' : (ev.sentence !== undefined ? ' \u00b7 sentence ' + (ev.sentence + 1) : '')) +
      ' \u00b7 chars ' + ev.start + '\u2013' + ev.end;
    var parts = [el('div', { cls: 'key', text: where })];
    if (ev.text !== undefined) {
      var q = el('blockquote');
      if (ev.before) q.appendChild(document.createTextNode((ev.before.length >= 70 ? '\u2026' : '') + ev.before));
      q.appendChild(el('mark', { text: ev.text }));
      if (ev.after) q.appendChild(document.createTextNode(ev.after + (ev.after.length >= 70 ? '\u2026' : '')));
      parts.push(q);
    }
    return el('li', null, parts);
  }

  function showNode(nd) {
    var d = nd.d;
    var out = [kindBadge(d.label), el('h2', { text: d.name }), el('div', { cls: 'key', text: d.id })];
    if (d.label === 'Paper') {
      if (safeUrl(d.url)) out.push(el('div', null, [link(d.url, d.url)]));
      if (d.date) out.push(el('div', { text: 'date: ' + d.date }));
      if (d.author_names && d.author_names.length) out.push(el('div', { text: 'authors: ' + d.author_names.join(', ') }));
      if (d.venue) out.push(el('div', { text: 'venue: ' + d.venue }));
      (d.ids || []).forEach(function (x) { out.push(el('div', { cls: 'key', text: x })); });
      if (d.sources && d.sources.length) out.push(el('div', { cls: 'key', text: 'read from ' + d.sources.join(', ') }));
    }
    if (d.label === 'Repository' && safeUrl(d.name)) out.push(el('div', null, [link('open repository', d.name)]));
    if (d.label === 'Result') {
      out.push(el('div', { text: 'value: ' + d.value + (d.unit ? ' ' + d.unit : '') }));
      if (d.paper) { out.push(el('h3', { text: 'reported by' })); out.push(el('ul', null, [paperItem(d.paper)])); }
    }
    if (d.aliases && d.aliases.length) {
      out.push(el('h3', { text: 'aliases' }));
      out.push(el('ul', null, d.aliases.map(function (a) { return el('li', { text: a }); })));
    }
    if (d.merged && d.merged.length) {
      out.push(el('h3', { text: 'merged from' }));
      out.push(el('ul', null, d.merged.map(function (m) {
        return el('li', null, [el('span', { cls: 'key', text: m.key }), ' ' + (m.why || []).join('; ')]);
      })));
    }
    if (d.label !== 'Paper' && d.label !== 'Result') {
      out.push(el('h3', { text: 'papers (' + d.papers + ')' }));
      var ul = el('ul', null, d.paperIds.map(paperItem));
      if (d.papers > d.paperIds.length) ul.appendChild(el('li', { cls: 'hint', text: '\u2026 and ' + (d.papers - d.paperIds.length) + ' more' }));
      out.push(ul);
    }
    var rels = [];
    adj[nd.i].forEach(function (p) {
      p.rels.forEach(function (r) { rels.push({ p: p, r: r, out: p.a === nd }); });
    });
    rels.sort(function (x, y) { return y.r.support - x.r.support || (x.r.type < y.r.type ? -1 : x.r.type > y.r.type ? 1 : 0); });
    out.push(el('h3', { text: 'relations shown (' + rels.length + (d.deg > d.shownDeg ? ', of ' + d.deg + ' neighbours in all' : '') + ')' }));
    out.push(el('ul', null, rels.slice(0, 80).map(function (x) {
      var other = x.out ? x.p.b : x.p.a;
      var b = el('button', { cls: 'link', text: x.r.type });
      b.addEventListener('click', function () { select('pair', x.p); draw(); });
      return el('li', null, [x.out ? '\u2192 ' : '\u2190 ', b, ' ', nodeButton(other),
        el('span', { cls: 'key', text: ' support ' + x.r.support })]);
    })));
    return out;
  }

  function showPair(p) {
    var out = [el('h2', null, [nodeButton(p.a), ' \u2192 ', nodeButton(p.b)])];
    p.rels.forEach(function (r) {
      out.push(el('h3', { text: r.type + ' \u00b7 support ' + r.support +
        (r.confidence !== null && r.confidence !== undefined ? ' \u00b7 confidence ' + r.confidence : '') }));
      out.push(el('div', { text: 'papers:' }));
      out.push(el('ul', null, r.papers.map(paperItem)));
      if (r.evidence === undefined) {
        out.push(el('div', { cls: 'hint loading', text: r.failed ? 'could not load the evidence: ' + r.failed : 'loading the evidence\u2026' }));
      } else if (r.evidence.length) {
        out.push(el('div', { text: 'evidence' + (r.evidenceTotal > r.evidence.length ? ' (first ' + r.evidence.length + ' of ' + r.evidenceTotal + ')' : '') + ':' }));
        out.push(el('ul', null, r.evidence.map(evidenceBlock)));
      }
    });
    return out;
  }

  function showDetails() {
    details.textContent = '';
    var parts = !selected ? [el('p', { cls: 'hint', text: 'Click a node or an edge to see its provenance.' })]
      : selected.kind === 'node' ? showNode(selected.obj) : showPair(selected.obj);
    parts.forEach(function (x) { details.appendChild(x); });
  }
  function select(kind, obj) {
    selected = kind ? { kind: kind, obj: obj } : null;
    showDetails();
    draw();
    if (selected && data.meta.lazy) load(kind, obj);
  }

  /* ------------------------------------------------------------ lazy details */
  // A page served by kg serve leaves out the evidence of its edges and the titles of the
  // papers it lists; they are asked of the server (the same origin) when shown.
  var pending = 0;
  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin' }).then(function (r) {
      return r.json().then(function (x) {
        if (!r.ok) throw new Error(x && x.error ? x.error : 'HTTP ' + r.status);
        return x;
      });
    });
  }
  function qs(params) {
    return params.map(function (kv) { return encodeURIComponent(kv[0]) + '=' + encodeURIComponent(kv[1]); }).join('&');
  }
  function load(kind, obj) {
    var asks = [];
    if (kind === 'pair') {
      obj.rels.forEach(function (r) {
        if (r.evidence !== undefined || r.loading) return;
        r.loading = true;
        asks.push(getJSON('/api/graph/edge?' + qs([['head', r.source], ['type', r.type], ['tail', r.target]]))
          .then(function (x) {
            Object.keys(x.paperInfo).forEach(function (k) { data.papers[k] = x.paperInfo[k]; });
            r.evidenceTotal = x.evidenceTotal;
            r.evidence = x.evidence;
            delete r.failed;
          }, function (e) { r.failed = String(e.message || e); })
          .then(function () { r.loading = false; }));
      });
    } else {
      var d = obj.d;
      var ids = (d.label !== 'Paper' && d.label !== 'Result' ? d.paperIds : []).concat(d.paper ? [d.paper] : [])
        .filter(function (pid) { return !data.papers[pid]; });
      if (ids.length && !d.loading) {
        d.loading = true;
        asks.push(getJSON('/api/graph/papers?' + qs(ids.map(function (pid) { return ['id', pid]; })))
          .then(function (x) { Object.keys(x).forEach(function (k) { data.papers[k] = x[k]; }); }, function () {})
          .then(function () { d.loading = false; }));
      }
    }
    if (!asks.length) return;
    pending += 1;
    document.body.setAttribute('data-loading', '1');
    Promise.all(asks).then(function () {
      if (selected && selected.obj === obj) showDetails();
      pending -= 1;
      if (!pending) document.body.removeAttribute('data-loading');
    });
  }

  /* ------------------------------------------------------------ legend */
  function buildLegend() {
    var box = document.getElementById('legend');
    var counts = {};
    nodes.forEach(function (n) { counts[n.d.label] = (counts[n.d.label] || 0) + 1; });
    var labels = ORDER.filter(function (l) { return counts[l]; })
      .concat(Object.keys(counts).filter(function (l) { return ORDER.indexOf(l) < 0; }).sort());
    labels.forEach(function (l) {
      var cb = el('input', { type: 'checkbox' });
      cb.checked = true;
      cb.addEventListener('change', function () { hiddenTypes[l] = !cb.checked; draw(); });
      var sw = el('span', { cls: 'swatch' });
      sw.style.background = color(l);
      box.appendChild(el('label', null, [cb, sw, l, el('span', { cls: 'count', text: '(' + counts[l] + ')' })]));
    });
    if (pairs.some(function (p) { return p.mentionsOnly; })) {
      var cb = el('input', { type: 'checkbox' });
      cb.checked = true;
      cb.addEventListener('change', function () { showMentions = cb.checked; draw(); });
      box.appendChild(el('label', null, [cb, 'MENTIONS edges (dashed)']));
    }
  }

  /* ------------------------------------------------------------ search */
  function runSearch() {
    var q = search.value.trim().toLowerCase();
    matchesBox.textContent = '';
    if (!q) { matchSet = null; matchesBox.hidden = true; draw(); return []; }
    var found = nodes.filter(function (n) {
      return visible(n) && (n.d.name.toLowerCase().indexOf(q) >= 0 || n.d.id.toLowerCase().indexOf(q) >= 0 ||
        n.d.aliases.some(function (a) { return a.toLowerCase().indexOf(q) >= 0; }) ||
        (n.d.ids || []).some(function (a) { return a.toLowerCase().indexOf(q) >= 0; }));
    });
    found.sort(function (a, b) {
      var ea = a.d.name.toLowerCase() === q ? 0 : 1, eb = b.d.name.toLowerCase() === q ? 0 : 1;
      return ea - eb || b.d.shownDeg - a.d.shownDeg || a.i - b.i;
    });
    matchSet = {};
    found.forEach(function (n) { matchSet[n.i] = true; });
    if (!found.length) matchesBox.appendChild(el('li', { cls: 'empty', text: 'no match' }));
    found.slice(0, 30).forEach(function (n) {
      var b = el('button', null, [el('span', { cls: 'swatch' }), n.d.name + '  ', el('span', { cls: 'key', text: n.d.label })]);
      b.firstChild.style.background = color(n.d.label);
      b.addEventListener('click', function () { choose(n); });
      matchesBox.appendChild(el('li', null, [b]));
    });
    matchesBox.hidden = false;
    draw();
    return found;
  }
  function choose(n) {
    search.value = ''; matchSet = null; matchesBox.hidden = true; matchesBox.textContent = '';
    centerOn(n); select('node', n);
  }
  search.addEventListener('input', runSearch);
  search.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') { var f = runSearch(); if (f.length) choose(f[0]); }
    if (ev.key === 'Escape') { search.value = ''; runSearch(); }
  });

  /* ------------------------------------------------------------ start */
  var m = data.meta;
  document.getElementById('status').textContent =
    m.shownNodes + ' of ' + m.totalNodes + ' nodes, ' + m.shownEdges + ' edges shown' +
    (m.shownEdges < m.amongEdges ? ' (of ' + m.amongEdges + ' among them: the centre\'s and the best supported)' : '') +
    (m.shownNodes < m.totalNodes ? (m.around ? ' (nearest first)' : ' (most connected first)') : '');
  layout();
  build();
  buildLegend();
  fit();
  draw();
  var center = nodes.filter(function (n) { return n.d.center; })[0];
  if (center) select('node', center);
  document.body.setAttribute('data-ready', '1');
  // for tests and the curious: the same actions the UI performs
  window.kgViz = {
    select: function (id) { var n = byId[id]; if (n) select('node', n); return !!n; },
    selectEdge: function (s, t) { var p = pairIndex[s + '\u0000' + t]; if (p) select('pair', p); return !!p; },
    search: function (q) { search.value = q; return runSearch().map(function (n) { return n.d.id; }); }
  };
}());
