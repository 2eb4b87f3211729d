// @ts-check
/*
 * The live dashboard's page script. It keeps its own bounded copy of the server's state (src/dashboard/
 * dashboard-state.ts): a snapshot replaces it, deltas append to it (trimmed to the server's window). Drawing
 * happens in requestAnimationFrame, so a hidden or busy tab only applies messages and draws once when it can.
 * The websocket reconnects with exponential backoff and jitter; every (re)connection starts from a snapshot,
 * and a gap in the delta sequence closes the socket to get one. `window.__obiDashboard.stats()` is for tests.
 */
/* global window, document, obiKit, WebSocket, requestAnimationFrame, location */

(() => {
  'use strict';

  /**
   * @typedef {[number, number][]} Levels
   * @typedef {{ t: number, bids: Levels, asks: Levels }} Book
   * @typedef {{ t: number[], bids: Levels[], asks: Levels[] }} Heat
   * @typedef {Record<'t' | 'mid' | 'obi' | 'obi_ema' | 'gate' | 'spread_bps' | 'p_up', (number | null)[]>} Points
   * @typedef {Record<string, string | number | boolean | null>} Last
   * @typedef {{ points?: Points, heat?: Heat, book?: Book | null, last?: Last | null }} SymbolMessage
   * @typedef {{ type: 'snapshot' | 'delta', seq: number, title?: string, levels: number, maxPoints: number,
   *   heatColumns: number, ended: boolean, symbols: Record<string, SymbolMessage> }} Message
   * @typedef {{ name: string, points: Points, heat: Heat, book: Book | null, last: Last | null, dirty: boolean,
   *   view: SymbolView | null, drawn: { chartPoints: number, heatCells: number, ladderLevels: number } }} SymbolState
   * @typedef {{ card: HTMLElement, price: HTMLElement, spread: HTMLElement, gate: HTMLElement, pUp: HTMLElement,
   *   status: HTMLElement, updated: HTMLElement, ladder: HTMLElement, ladderLevels: number, gauge: HTMLCanvasElement,
   *   gaugeText: HTMLElement, chartBox: HTMLElement, chart: import('uplot') | null, heat: HTMLCanvasElement }} SymbolView
   */

  const K = obiKit;
  const { el, COLORS } = K;
  const uPlot = K.uPlot;
  const POINT_FIELDS = /** @type {const} */ (['t', 'mid', 'obi', 'obi_ema', 'gate', 'spread_bps', 'p_up']);
  const BASE_RETRY_MS = 500;
  const MAX_RETRY_MS = 10_000;

  /** @type {Map<string, SymbolState>} */
  const symbols = new Map();
  const meta = { levels: 10, maxPoints: 2400, heatColumns: 600, ended: false };
  const stats = {
    status: 'connecting',
    connects: 0,
    snapshots: 0,
    deltas: 0,
    gaps: 0,
    lastSeq: -1,
    renders: 0,
    retryInMs: 0,
  };
  const board = /** @type {HTMLElement} */ (document.getElementById('board'));
  const conn = /** @type {HTMLElement} */ (document.getElementById('conn'));
  const metaLine = /** @type {HTMLElement} */ (document.getElementById('meta'));
  let attempt = 0;
  let renderQueued = false;

  /** @type {{ __obiDashboard?: unknown }} */ (/** @type {unknown} */ (window)).__obiDashboard = {
    stats: () => ({
      ...stats,
      symbols: Object.fromEntries(
        [...symbols.values()].map((s) => [
          s.name,
          {
            points: s.points.t.length,
            heatColumns: s.heat.t.length,
            bookLevels: s.book ? s.book.bids.length + s.book.asks.length : 0,
            ...s.drawn,
          },
        ]),
      ),
    }),
  };

  connect();

  window.addEventListener('resize', () => {
    for (const s of symbols.values()) {
      s.dirty = true;
      if (s.view?.chart)
        s.view.chart.setSize({ width: K.chartWidth(s.view.chartBox), height: s.view.chart.height });
    }
    queueRender();
  });

  // ---- connection ------------------------------------------------------------------------------------

  function connect() {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    /** @type {WebSocket} */
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      retry();
      return;
    }
    setConn('connecting', 'connecting…');
    ws.onopen = () => {
      stats.connects++;
    };
    ws.onmessage = (event) => {
      /** @type {Message} */
      let msg;
      try {
        msg = JSON.parse(String(event.data));
      } catch {
        ws.close();
        return;
      }
      if (msg.type === 'delta' && msg.seq !== stats.lastSeq + 1) {
        // A delta went missing: start again from a snapshot.
        stats.gaps++;
        ws.close();
        return;
      }
      apply(msg);
      if (msg.type === 'snapshot') attempt = 0;
      queueRender();
    };
    ws.onclose = () => {
      retry();
    };
  }

  function retry() {
    // Exponential backoff with "equal jitter": half fixed, half random, capped.
    const cap = Math.min(MAX_RETRY_MS, BASE_RETRY_MS * 2 ** attempt);
    const delay = cap / 2 + Math.random() * (cap / 2);
    attempt = Math.min(attempt + 1, 10);
    stats.retryInMs = Math.round(delay);
    setConn(
      meta.ended ? 'ended' : 'retrying',
      meta.ended ? 'run ended · reconnecting…' : `disconnected · retrying in ${(delay / 1000).toFixed(1)} s`,
    );
    window.setTimeout(connect, delay);
  }

  /**
   * @param {string} status
   * @param {string} text
   */
  function setConn(status, text) {
    stats.status = status;
    conn.className = `conn conn-${status}`;
    conn.textContent = text;
  }

  // ---- state -----------------------------------------------------------------------------------------

  /** @param {Message} msg */
  function apply(msg) {
    meta.levels = msg.levels;
    meta.maxPoints = msg.maxPoints;
    meta.heatColumns = msg.heatColumns;
    meta.ended = msg.ended;
    stats.lastSeq = msg.seq;
    if (msg.type === 'snapshot') {
      stats.snapshots++;
      for (const s of symbols.values()) {
        s.points = emptyPoints();
        s.heat = { t: [], bids: [], asks: [] };
        s.book = null;
        s.last = null;
        s.dirty = true;
      }
    } else {
      stats.deltas++;
    }
    for (const [name, m] of Object.entries(msg.symbols)) {
      const s = symbolState(name);
      if (m.points) {
        for (const f of POINT_FIELDS)
          s.points[f] = trim(s.points[f].concat(m.points[f] ?? []), meta.maxPoints);
      }
      if (m.heat) {
        s.heat = {
          t: trim(s.heat.t.concat(m.heat.t), meta.heatColumns),
          bids: trim(s.heat.bids.concat(m.heat.bids), meta.heatColumns),
          asks: trim(s.heat.asks.concat(m.heat.asks), meta.heatColumns),
        };
      }
      if (m.book !== undefined) s.book = m.book;
      if (m.last !== undefined) s.last = m.last;
      s.dirty = true;
    }
    if (msg.ended) setConn('ended', 'run ended · showing the last state');
    else setConn('live', 'live');
    metaLine.textContent = `${symbols.size} symbol${symbols.size === 1 ? '' : 's'} · last ${Math.round(meta.maxPoints)} rows per symbol`;
  }

  /**
   * @template T
   * @param {T[]} values
   * @param {number} max
   * @returns {T[]}
   */
  function trim(values, max) {
    return values.length > max ? values.slice(values.length - max) : values;
  }

  /** @returns {Points} */
  function emptyPoints() {
    return { t: [], mid: [], obi: [], obi_ema: [], gate: [], spread_bps: [], p_up: [] };
  }

  /**
   * @param {string} name
   * @returns {SymbolState}
   */
  function symbolState(name) {
    let s = symbols.get(name);
    if (s === undefined) {
      s = {
        name,
        points: emptyPoints(),
        heat: { t: [], bids: [], asks: [] },
        book: null,
        last: null,
        dirty: true,
        view: null,
        drawn: { chartPoints: 0, heatCells: 0, ladderLevels: 0 },
      };
      symbols.set(name, s);
    }
    return s;
  }

  // ---- drawing ---------------------------------------------------------------------------------------

  function queueRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      stats.renders++;
      for (const s of symbols.values()) {
        if (!s.dirty) continue;
        s.dirty = false;
        try {
          render(s);
        } catch (error) {
          console.error(error);
        }
      }
    });
  }

  /** @param {SymbolState} s */
  function render(s) {
    const v = s.view ?? (s.view = buildView(s));
    renderHeader(s, v);
    renderLadder(s, v);
    renderGauge(s, v);
    renderChart(s, v);
    renderHeat(s, v);
  }

  /**
   * @param {SymbolState} s
   * @returns {SymbolView}
   */
  function buildView(s) {
    const price = el('span', { class: 'big-price', text: '–' });
    const spread = el('span', { class: 'pill', text: 'spread –' });
    const gate = el('span', { class: 'pill gate-none', text: 'gate –' });
    const pUp = el('span', { class: 'pill', text: 'p_up –' });
    const status = el('span', { class: 'pill', text: '–' });
    const updated = el('span', { class: 'updated', text: '' });
    const ladder = el('div', { class: 'ladder' });
    const gauge = /** @type {HTMLCanvasElement} */ (
      el('canvas', { class: 'gauge', width: 240, height: 140 })
    );
    const gaugeText = el('div', { class: 'gauge-text', text: '' });
    const chartBox = el('div', { class: 'chart', 'data-chart': 'live' });
    const heat = /** @type {HTMLCanvasElement} */ (el('canvas', { class: 'heat', 'data-chart': 'heat' }));
    const card = el(
      'section',
      { class: 'card symbol-card', 'data-symbol': s.name },
      el('div', { class: 'sym-head' }, el('h2', { text: s.name }), price, spread, gate, pUp, status, updated),
      el(
        'div',
        { class: 'sym-body' },
        el(
          'div',
          { class: 'left' },
          el('h3', { text: 'Book (top levels)' }),
          ladder,
          el('h3', { text: 'Imbalance' }),
          gauge,
          gaugeText,
        ),
        el(
          'div',
          { class: 'right' },
          el('h3', { text: 'obi, obi_ema and mid' }),
          K.gateLegend(),
          chartBox,
          el('h3', { text: 'Depth heatmap (resting quantity by price over time)' }),
          heat,
        ),
      ),
    );
    board.append(card);
    return {
      card,
      price,
      spread,
      gate,
      pUp,
      status,
      updated,
      ladder,
      ladderLevels: 0,
      gauge,
      gaugeText,
      chartBox,
      chart: null,
      heat,
    };
  }

  /**
   * @param {SymbolState} s
   * @param {SymbolView} v
   */
  function renderHeader(s, v) {
    const last = s.last ?? {};
    const decimals = priceDecimals(s.book);
    const mid = num(last['mid']);
    v.price.textContent = mid === null ? '–' : mid.toFixed(decimals);
    v.spread.textContent = `spread ${K.fmt(num(last['spread_bps']), 3)} bps`;
    const gate = num(last['gate']);
    const age = num(last['gate_age']);
    const name = gate === null ? 'none' : gate > 0 ? 'bullish' : gate < 0 ? 'bearish' : 'neutral';
    v.gate.className = `pill gate-${name}`;
    v.gate.textContent =
      gate === null ? 'gate: n/a' : `gate: ${name}${age !== null ? ` · ${K.fmtInt(age)} rows` : ''}`;
    const p = num(last['p_up']);
    v.pUp.textContent = p === null ? 'p_up –' : `p_up ${(p * 100).toFixed(0)}%`;
    v.pUp.hidden = p === null;
    const status = typeof last['status'] === 'string' ? last['status'] : '–';
    v.status.className = `pill status-${status}`;
    v.status.textContent =
      status === 'ok' ? 'book ok' : `${status}${last['reason'] ? `: ${last['reason']}` : ''}`;
    const t = num(last['time_ms']);
    v.updated.textContent = t === null ? '' : `row ${K.fmtTime(t)}`;
  }

  /**
   * @param {SymbolState} s
   * @param {SymbolView} v
   */
  function renderLadder(s, v) {
    const L = meta.levels;
    if (v.ladderLevels !== L) {
      v.ladder.replaceChildren(
        el(
          'div',
          { class: 'lrow lhead' },
          el('span', { text: 'price' }),
          el('span', { text: 'size' }),
          el('span', { text: 'cum.' }),
        ),
        ...Array.from({ length: L }, () => ladderRow('ask')),
        el('div', { class: 'lrow lmid' }, el('span', { text: '' })),
        ...Array.from({ length: L }, () => ladderRow('bid')),
      );
      v.ladderLevels = L;
    }
    const rows = /** @type {HTMLElement[]} */ ([...v.ladder.querySelectorAll('.lrow.ask, .lrow.bid')]);
    const book = s.book ?? { t: 0, bids: [], asks: [] };
    const decimals = priceDecimals(s.book);
    let max = 0;
    for (const [, q] of [...book.bids, ...book.asks]) max = Math.max(max, q);
    // Asks: worst at the top, best just above the spread row.
    let cum = 0;
    const askCum = book.asks.slice(0, L).map(([, q]) => (cum += q));
    for (let i = 0; i < L; i++) {
      const j = L - 1 - i;
      fillLadderRow(/** @type {HTMLElement} */ (rows[i]), book.asks[j], askCum[j], max, decimals);
    }
    cum = 0;
    for (let i = 0; i < L; i++) {
      const level = book.bids[i];
      if (level) cum += level[1];
      fillLadderRow(/** @type {HTMLElement} */ (rows[L + i]), level, level ? cum : undefined, max, decimals);
    }
    const mid = v.ladder.querySelector('.lmid span');
    const bestBid = book.bids[0]?.[0];
    const bestAsk = book.asks[0]?.[0];
    if (mid)
      mid.textContent =
        bestBid !== undefined && bestAsk !== undefined
          ? `spread ${(bestAsk - bestBid).toFixed(decimals)}`
          : 'no book';
    s.drawn.ladderLevels = Math.min(L, book.bids.length) + Math.min(L, book.asks.length);
  }

  /** @param {'ask' | 'bid'} side */
  function ladderRow(side) {
    return el(
      'div',
      { class: `lrow ${side}` },
      el('i', { class: 'lbar' }),
      el('span', { class: 'lp' }),
      el('span', { class: 'lq' }),
      el('span', { class: 'lc' }),
    );
  }

  /**
   * @param {HTMLElement} row
   * @param {[number, number] | undefined} level
   * @param {number | undefined} cum
   * @param {number} max
   * @param {number} decimals
   */
  function fillLadderRow(row, level, cum, max, decimals) {
    const [bar, p, q, c] = /** @type {HTMLElement[]} */ ([...row.children]);
    if (!bar || !p || !q || !c) return;
    if (level === undefined) {
      p.textContent = '';
      q.textContent = '';
      c.textContent = '';
      bar.style.width = '0';
      return;
    }
    p.textContent = level[0].toFixed(decimals);
    q.textContent = K.fmt(level[1], 5);
    c.textContent = K.fmt(cum, 5);
    bar.style.width = `${max > 0 ? Math.round((level[1] / max) * 100) : 0}%`;
  }

  /**
   * The obi gauge: a half dial from −1 (ask-heavy, left) to +1 (bid-heavy, right); needle = obi, notch = obi_ema.
   * @param {SymbolState} s
   * @param {SymbolView} v
   */
  function renderGauge(s, v) {
    const last = s.last ?? {};
    const obi = num(last['obi']);
    const ema = num(last['obi_ema']);
    const canvas = v.gauge;
    const dpr = window.devicePixelRatio || 1;
    const W = 240;
    const H = 140;
    if (canvas.width !== W * dpr) {
      canvas.width = W * dpr;
      canvas.height = H * dpr;
      canvas.style.width = `${W}px`;
      canvas.style.height = `${H}px`;
    }
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    const cx = W / 2;
    const cy = H - 22;
    const r = 92;
    /** @param {number} x obi in [-1, 1] */
    const angle = (x) => Math.PI + ((Math.max(-1, Math.min(1, x)) + 1) / 2) * Math.PI;
    const segments = 40;
    for (let i = 0; i < segments; i++) {
      const x0 = -1 + (2 * i) / segments;
      const x1 = -1 + (2 * (i + 1)) / segments;
      const mixed = (x0 + x1) / 2;
      ctx.strokeStyle =
        mixed < 0 ? `rgba(213, 94, 0, ${0.25 + 0.6 * -mixed})` : `rgba(0, 158, 115, ${0.25 + 0.6 * mixed})`;
      ctx.lineWidth = 18;
      ctx.beginPath();
      ctx.arc(cx, cy, r, angle(x0), angle(x1) + 0.01);
      ctx.stroke();
    }
    ctx.fillStyle = COLORS.axis;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.fillText('−1 ask-heavy', cx - r - 10, cy + 18);
    ctx.textAlign = 'right';
    ctx.fillText('bid-heavy +1', cx + r + 10, cy + 18);
    // A tick at 0 (balanced), inside the dial.
    ctx.strokeStyle = 'rgba(0,0,0,0.45)';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(cx, cy - r + 10);
    ctx.lineTo(cx, cy - r + 18);
    ctx.stroke();
    if (ema !== null) {
      const a = angle(ema);
      ctx.fillStyle = COLORS.obiEma;
      ctx.beginPath();
      ctx.arc(cx + Math.cos(a) * (r + 14), cy + Math.sin(a) * (r + 14), 4, 0, 2 * Math.PI);
      ctx.fill();
    }
    if (obi !== null) {
      const a = angle(obi);
      ctx.strokeStyle = '#1f2933';
      ctx.lineWidth = 3;
      ctx.lineCap = 'round';
      ctx.beginPath();
      ctx.moveTo(cx, cy);
      ctx.lineTo(cx + Math.cos(a) * (r - 6), cy + Math.sin(a) * (r - 6));
      ctx.stroke();
    }
    ctx.fillStyle = '#1f2933';
    ctx.beginPath();
    ctx.arc(cx, cy, 5, 0, 2 * Math.PI);
    ctx.fill();
    v.gaugeText.textContent = `obi ${K.fmt(obi, 3)} · obi_ema ${K.fmt(ema, 3)} (dot)`;
  }

  /**
   * @param {SymbolState} s
   * @param {SymbolView} v
   */
  function renderChart(s, v) {
    const xs = s.points.t.map((t) => (t === null ? 0 : t / 1000));
    /** @type {import('uplot').AlignedData} */
    const data = [xs, s.points.mid, s.points.obi, s.points.obi_ema];
    if (v.chart === null) {
      const spacing = () => {
        const n = xs.length;
        return n > 1 ? ((xs[n - 1] ?? 0) - (xs[0] ?? 0)) / (n - 1) : 1;
      };
      const gate = () => ({
        start: xs,
        width: spacing(),
        state: /** @type {(-1 | 0 | 1 | null)[]} */ (
          s.points.gate.map((g) => (g === null ? null : g > 0 ? 1 : g < 0 ? -1 : 0))
        ),
      });
      v.chart = new uPlot(
        {
          width: K.chartWidth(v.chartBox),
          height: 230,
          tzDate: K.utcDate,
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: true }, obi: { range: [-1, 1] }, price: { auto: true } },
          axes: [
            K.timeAxis(),
            K.yAxis('imbalance', { scale: 'obi' }),
            K.yAxis('mid price', { scale: 'price', side: 1, grid: { show: false }, size: 80 }),
          ],
          series: [
            { label: 'time (UTC)', value: '{HH}:{mm}:{ss}' },
            {
              // The mid steps a tick at a time on its own scale; drawn lighter so the imbalance lines lead.
              label: 'mid',
              stroke: 'rgba(29, 53, 87, 0.55)',
              width: 1.25,
              scale: 'price',
              points: { show: false },
              value: (_u, x) => K.fmt(x, 10),
            },
            {
              label: 'obi',
              stroke: COLORS.obi,
              width: 1,
              scale: 'obi',
              points: { show: false },
              value: (_u, x) => K.fmt(x, 3),
            },
            {
              label: 'obi_ema',
              stroke: COLORS.obiEma,
              width: 2,
              scale: 'obi',
              points: { show: false },
              value: (_u, x) => K.fmt(x, 3),
            },
          ],
          plugins: [K.gateShading(gate)],
        },
        data,
        v.chartBox,
      );
    } else {
      v.chart.setData(data);
    }
    s.drawn.chartPoints = K.countValues(s.points.obi) + K.countValues(s.points.mid);
  }

  /**
   * The depth heatmap: one column per book snapshot, one cell per level at its price, darker = more
   * quantity (log scale); bids green, asks orange; the mid as a line.
   * @param {SymbolState} s
   * @param {SymbolView} v
   */
  function renderHeat(s, v) {
    const canvas = v.heat;
    const dpr = window.devicePixelRatio || 1;
    const W = Math.max(320, v.chartBox.clientWidth);
    const H = 220;
    if (canvas.width !== Math.round(W * dpr) || canvas.height !== Math.round(H * dpr)) {
      canvas.width = Math.round(W * dpr);
      canvas.height = Math.round(H * dpr);
      canvas.style.width = `${W}px`;
      canvas.style.height = `${H}px`;
    }
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    const left = 72;
    const right = 8;
    const top = 6;
    const bottom = 22;
    const pw = W - left - right;
    const ph = H - top - bottom;
    ctx.fillStyle = '#fbfcfd';
    ctx.fillRect(left, top, pw, ph);
    const heat = s.heat;
    const n = heat.t.length;
    s.drawn.heatCells = 0;
    if (n === 0) {
      ctx.fillStyle = COLORS.axis;
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillText('waiting for books…', left + 10, top + 20);
      return;
    }
    let lo = Infinity;
    let hi = -Infinity;
    /** @type {number[]} */
    const qtys = [];
    for (let i = 0; i < n; i++) {
      for (const [p, q] of heat.bids[i] ?? []) {
        lo = Math.min(lo, p);
        hi = Math.max(hi, p);
        if (qtys.length < 4000) qtys.push(q);
      }
      for (const [p, q] of heat.asks[i] ?? []) {
        lo = Math.min(lo, p);
        hi = Math.max(hi, p);
        if (qtys.length < 4000) qtys.push(q);
      }
    }
    if (!(hi >= lo)) return;
    const tick = tickOf(s.book) || (hi - lo) / 50 || 1;
    lo -= tick;
    hi += tick;
    qtys.sort((a, b) => a - b);
    const qMax = qtys[Math.floor(qtys.length * 0.95)] || qtys[qtys.length - 1] || 1;
    const t0 = heat.t[0] ?? 0;
    const t1 = heat.t[n - 1] ?? t0;
    const dt = n > 1 ? (t1 - t0) / (n - 1) : 1000;
    const span = t1 - t0 + dt;
    /** @param {number} t */
    const X = (t) => left + ((t - t0) / span) * pw;
    /** @param {number} p */
    const Y = (p) => top + (1 - (p - lo) / (hi - lo)) * ph;
    const cellH = Math.max(1, (tick / (hi - lo)) * ph);
    const colW = Math.max(1, (dt / span) * pw + 0.5);
    for (let i = 0; i < n; i++) {
      const x = X(heat.t[i] ?? t0);
      for (const [side, levels] of /** @type {const} */ ([
        ['bid', heat.bids[i] ?? []],
        ['ask', heat.asks[i] ?? []],
      ])) {
        for (const [p, q] of levels) {
          const a = Math.min(1, Math.log1p(q) / Math.log1p(qMax));
          ctx.fillStyle =
            side === 'bid' ? `rgba(0, 158, 115, ${0.1 + 0.85 * a})` : `rgba(213, 94, 0, ${0.1 + 0.85 * a})`;
          ctx.fillRect(x, Y(p) - cellH / 2, colW, cellH);
          s.drawn.heatCells++;
        }
      }
    }
    // The mid over the same time window.
    ctx.strokeStyle = '#1d3557';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < s.points.t.length; i++) {
      const t = s.points.t[i];
      const m = s.points.mid[i];
      if (t === null || t === undefined || t < t0 || m === null || m === undefined) {
        pen = false;
        continue;
      }
      if (pen) ctx.lineTo(X(t), Y(m));
      else ctx.moveTo(X(t), Y(m));
      pen = true;
    }
    ctx.stroke();
    // Axes: three prices, start and end times.
    const decimals = priceDecimals(s.book);
    ctx.fillStyle = COLORS.axis;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'right';
    for (const p of [hi - tick, (hi + lo) / 2, lo + tick])
      ctx.fillText(p.toFixed(decimals), left - 6, Y(p) + 4);
    ctx.textAlign = 'left';
    ctx.fillText(K.fmtTime(t0).slice(11), left, H - 6);
    ctx.textAlign = 'right';
    ctx.fillText(K.fmtTime(t1).slice(11), left + pw, H - 6);
    ctx.strokeStyle = 'rgba(0,0,0,0.15)';
    ctx.strokeRect(left + 0.5, top + 0.5, pw - 1, ph - 1);
  }

  // ---- helpers ---------------------------------------------------------------------------------------

  /**
   * @param {unknown} v
   * @returns {number | null}
   */
  function num(v) {
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  }

  /**
   * Returns the decimals the book's prices need (at most 8).
   * @param {Book | null} book
   */
  function priceDecimals(book) {
    let d = 2;
    if (book === null) return d;
    for (const [p] of [...book.bids.slice(0, 5), ...book.asks.slice(0, 5)]) {
      const text = String(p);
      const dot = text.indexOf('.');
      if (dot >= 0 && !text.includes('e')) d = Math.max(d, text.length - dot - 1);
    }
    return Math.min(8, d);
  }

  /**
   * Returns the smallest price step between adjacent levels of the book (0 when unknown).
   * @param {Book | null} book
   */
  function tickOf(book) {
    if (book === null) return 0;
    let tick = Infinity;
    for (const side of [book.bids, book.asks]) {
      for (let i = 1; i < side.length; i++) {
        const d = Math.abs((side[i]?.[0] ?? 0) - (side[i - 1]?.[0] ?? 0));
        if (d > 0 && d < tick) tick = d;
      }
    }
    return Number.isFinite(tick) ? tick : 0;
  }
})();
