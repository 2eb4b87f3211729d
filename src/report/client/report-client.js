// @ts-check
/*
 * The report page's script: reads the embedded report data (src/report/report-data.ts) and draws every
 * section with uPlot. Symbols are drawn when selected, so a many-symbol report opens fast. Exposes
 * `window.__obiReport` (what was drawn, how many points each chart has) for tests.
 */
/* global window, document, obiKit */

(() => {
  'use strict';

  /**
   * @typedef {{ n: number, mean: number | null, se: number | null, t: number | null, up: number | null,
   *   down: number | null }} ReturnSummary
   * @typedef {{ decile: number, obiLow: number, obiHigh: number, rows: number, returns: ReturnSummary[] }} DecileRow
   * @typedef {{ state: -1 | 0 | 1, name: string, rows: number, share: number, returns: ReturnSummary[] }} GateRow
   * @typedef {{ states: GateRow[], all: ReturnSummary[] }} GateTable
   * @typedef {{ feature: string, method: string, lags: number[], r: (number | null)[], low: (number | null)[],
   *   high: (number | null)[], n: (number | null)[] }} LeadLagSeries
   * @typedef {{ source: 'metrics' | 'rows', series: LeadLagSeries[] }} LeadLag
   * @typedef {{ fromMs: number, toMs: number }} Gap
   * @typedef {Record<string, number>} Quantiles
   * @typedef {{ rows: number, statuses: Record<string, number>, crossedRows: number, resyncs: number,
   *   missingRuns: number, longestMissingRun: number, intervalMs: number | null, gaps: number, gapTimeMs: number,
   *   largestGaps: Gap[], latencyMs: Quantiles | null, latencyMeanMs: number | null,
   *   reasons: { reason: string, rows: number }[] }} Quality
   * @typedef {{ symbol: string, rows: number, firstMs: number | null, lastMs: number | null, bucketMs: number,
   *   x: number[], series: Record<string, (number | null)[] | undefined>, bucketStart: number[],
   *   gateByBucket: (-1 | 0 | 1 | null)[] | null, badShareByBucket: number[], horizons: string[],
   *   deciles: DecileRow[], gate: GateTable | null, leadLag: LeadLag | null, quality: Quality,
   *   metrics: Record<string, unknown> | null, notes: string[] }} SymbolData
   * @typedef {{ version: number, title: string, generatedAt: string, obiVersion: string,
   *   source: { csv: string | null, json: string | null }, config: Record<string, unknown> | null,
   *   symbols: SymbolData[], notes: string[] }} ReportData
   * @typedef {{ label: string, values: (number | null)[], stroke: string, width?: number, scale?: string,
   *   fill?: string, dash?: number[], unit?: string, digits?: number }} LineDef
   */

  const K = obiKit;
  const { el, COLORS } = K;
  const uPlot = K.uPlot;

  /** What tests read. */
  const state = {
    ready: false,
    symbol: /** @type {string | null} */ (null),
    /** chart name → non-null points drawn */
    charts: /** @type {Record<string, number>} */ ({}),
    errors: /** @type {string[]} */ ([]),
  };
  /** @type {{ __obiReport?: typeof state }} */ (/** @type {unknown} */ (window)).__obiReport = state;

  /** Live charts, resized with the window. @type {{ chart: import('uplot'), box: HTMLElement }[]} */
  let live = [];

  const dataNode = document.getElementById('obi-report-data');
  /** @type {ReportData} */
  const data = JSON.parse(dataNode?.textContent ?? 'null');
  const root = /** @type {HTMLElement} */ (document.getElementById('report'));

  try {
    renderRun();
    const first = data.symbols[0];
    if (first === undefined) {
      root.append(el('div', { class: 'card note', text: 'This run has no rows to show.' }));
      state.ready = true;
    } else {
      renderNav();
      showSymbol(first.symbol);
    }
  } catch (error) {
    state.errors.push(String(error instanceof Error ? error.stack : error));
    root.append(el('pre', { class: 'card error', text: `The report could not be drawn: ${String(error)}` }));
  }

  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => {
      for (const { chart, box } of live) chart.setSize({ width: K.chartWidth(box), height: chart.height });
    }, 100);
  });

  // ---- run header and navigation ---------------------------------------------------------------------

  function renderRun() {
    const c = data.config ?? {};
    const facts = [
      ['symbols', data.symbols.map((s) => s.symbol).join(', ') || '–'],
      ['interval', typeof c['interval'] === 'number' ? `${c['interval']} s` : '–'],
      ['levels (L)', c['levels'] ?? '–'],
      ['EMA span', c['ema'] ?? '–'],
      ['mode', c['mode'] ?? c['command'] ?? '–'],
      ['source', data.source.csv ?? 'live rows'],
      ['metrics', data.source.json ?? '–'],
      ['generated', `${data.generatedAt.replace('T', ' ').slice(0, 19)} UTC · obi ${data.obiVersion}`],
    ];
    const run = /** @type {HTMLElement} */ (document.getElementById('run'));
    run.append(
      el(
        'dl',
        { class: 'facts' },
        ...facts.flatMap(([k, v]) => [el('dt', { text: String(k) }), el('dd', { text: String(v) })]),
      ),
    );
    for (const note of data.notes) run.append(el('p', { class: 'note', text: note }));
  }

  function renderNav() {
    if (data.symbols.length < 2) return;
    const nav = /** @type {HTMLElement} */ (document.getElementById('symbols'));
    for (const s of data.symbols) {
      const button = el('button', { type: 'button', 'data-symbol': s.symbol, text: s.symbol });
      button.addEventListener('click', () => showSymbol(s.symbol));
      nav.append(button);
    }
  }

  /** @param {string} symbol */
  function showSymbol(symbol) {
    const s = data.symbols.find((d) => d.symbol === symbol);
    if (s === undefined) return;
    for (const { chart } of live) chart.destroy();
    live = [];
    state.charts = {};
    state.ready = false;
    root.replaceChildren();
    for (const b of document.querySelectorAll('#symbols button')) {
      b.classList.toggle('active', b.getAttribute('data-symbol') === symbol);
    }
    state.symbol = symbol;
    renderSymbol(s);
    state.ready = true;
  }

  // ---- one symbol ------------------------------------------------------------------------------------

  /** @param {SymbolData} s */
  function renderSymbol(s) {
    const m = s.metrics ?? {};
    const q = s.quality;
    const ok = q.statuses['ok'] ?? 0;
    const spreadQ = /** @type {Quantiles | undefined} */ (m['spread_bps_quantiles']);
    root.append(
      el('h2', { class: 'symbol-title', text: s.symbol }),
      tiles([
        ['rows', K.fmtInt(s.rows)],
        ['span', K.fmtDuration(s.firstMs !== null && s.lastMs !== null ? s.lastMs - s.firstMs : null)],
        ['valid rows', K.fmtPct(s.rows > 0 ? ok / s.rows : null)],
        ['mean obi', K.fmt(/** @type {number} */ (m['obi_mean']), 3)],
        ['corr(obi, next return)', K.fmt(/** @type {number} */ (m['corr_obi_lead_midret']), 3)],
        ['median spread', spreadQ ? `${K.fmt(spreadQ['p50'], 3)} bps` : '–'],
        ['median latency', q.latencyMs ? `${K.fmt(q.latencyMs['p50'], 3)} ms` : '–'],
      ]),
    );
    const gate = gateSource(s);
    midChart(s, gate);
    obiChart(s, gate);
    if (s.series['p_up']) pUpChart(s);
    const pair = el('div', { class: 'pair' });
    root.append(pair);
    leadLagCard(s, pair);
    decileCard(s, pair);
    gateCard(s);
    horizonsCard(s);
    spreadDepthChart(s);
    qualityCard(s);
    metricsCard(s);
    const metricNotes = Array.isArray(m['notes']) ? m['notes'].filter((n) => typeof n === 'string') : [];
    const notes = [...metricNotes, ...s.notes];
    if (notes.length > 0) {
      root.append(
        card('Notes', null, el('ul', { class: 'notes' }, ...notes.map((n) => el('li', { text: String(n) })))),
      );
    }
  }

  /**
   * @param {string} title
   * @param {string | null} subtitle
   * @param {...(Node | null)} children
   */
  function card(title, subtitle, ...children) {
    return el(
      'section',
      { class: 'card' },
      el('h3', { text: title }),
      subtitle ? el('p', { class: 'sub', text: subtitle }) : null,
      ...children,
    );
  }

  /** @param {[string, string][]} items */
  function tiles(items) {
    return el(
      'div',
      { class: 'tiles' },
      ...items.map(([label, value]) =>
        el(
          'div',
          { class: 'tile' },
          el('div', { class: 'tile-value', text: value }),
          el('div', { class: 'tile-label', text: label }),
        ),
      ),
    );
  }

  /** @param {SymbolData} s */
  function gateSource(s) {
    if (s.gateByBucket === null) return null;
    const g = { start: s.bucketStart, width: s.bucketMs / 1000, state: s.gateByBucket };
    return () => g;
  }

  /**
   * Draws a time chart of `lines` into a new box in `parent`; records its point count under `name`.
   * @param {string} name
   * @param {HTMLElement} parent
   * @param {SymbolData} s
   * @param {LineDef[]} lines
   * @param {{ height?: number, scales?: Record<string, import('uplot').Scale>, axes?: import('uplot').Axis[],
   *   plugins?: import('uplot').Plugin[] }} opts
   */
  function timeChart(name, parent, s, lines, opts) {
    const box = el('div', { class: 'chart', 'data-chart': name });
    parent.append(box);
    const present = lines.filter((l) => l.values.length > 0);
    /** @type {import('uplot').Options} */
    const options = {
      width: K.chartWidth(box),
      height: opts.height ?? 240,
      tzDate: K.utcDate,
      cursor: { sync: { key: `time-${s.symbol}` }, drag: { x: true, y: false } },
      scales: { x: { time: true }, ...(opts.scales ?? {}) },
      axes: [K.timeAxis(), ...(opts.axes ?? [])],
      series: [
        { label: 'time (UTC)', value: '{YYYY}-{MM}-{DD} {HH}:{mm}:{ss}' },
        ...present.map((l) => ({
          label: l.label,
          stroke: l.stroke,
          width: l.width ?? 1.25,
          scale: l.scale ?? 'y',
          ...(l.fill ? { fill: l.fill } : {}),
          ...(l.dash ? { dash: l.dash } : {}),
          points: { show: false },
          /** @type {(u: import('uplot'), v: number | null) => string} */
          value: (_u, v) => (v === null ? '–' : `${K.fmt(v, l.digits ?? 5)}${l.unit ?? ''}`),
        })),
      ],
      plugins: opts.plugins ?? [],
    };
    /** @type {import('uplot').AlignedData} */
    const aligned = [s.x, ...present.map((l) => l.values)];
    const chart = new uPlot(options, aligned, box);
    live.push({ chart, box });
    state.charts[name] = present.reduce((sum, l) => sum + K.countValues(l.values), 0);
    return chart;
  }

  /**
   * @param {SymbolData} s
   * @param {(() => { start: number[], width: number, state: (-1 | 0 | 1 | null)[] }) | null} gate
   */
  function midChart(s, gate) {
    const mid = s.series['mid'] ?? [];
    const c = card(
      'Mid price',
      gate
        ? 'Min and max of each display bucket, in time order; background: the toxicity gate’s state.'
        : 'Min and max of each display bucket, in time order. No gate column: no gate shading.',
      gate ? K.gateLegend() : null,
    );
    root.append(c);
    timeChart(
      'mid',
      c,
      s,
      [{ label: 'mid', values: mid, stroke: COLORS.mid, width: 1.5, scale: 'price', digits: 8 }],
      {
        height: 260,
        scales: { price: { auto: true } },
        axes: [K.yAxis('price', { scale: 'price', size: 80 })],
        plugins: gate ? [K.gateShading(gate)] : [],
      },
    );
  }

  /**
   * @param {SymbolData} s
   * @param {(() => { start: number[], width: number, state: (-1 | 0 | 1 | null)[] }) | null} gate
   */
  function obiChart(s, gate) {
    const c = card(
      'Order-book imbalance',
      'obi over the top L levels (range per bucket) and its EWMA obi_ema; 0 = balanced book.',
    );
    root.append(c);
    timeChart(
      'obi',
      c,
      s,
      [
        { label: 'obi', values: s.series['obi'] ?? [], stroke: COLORS.obi, width: 1, digits: 3 },
        {
          label: 'obi_ema',
          values: s.series['obi_ema'] ?? [],
          stroke: COLORS.obiEma,
          width: 1.75,
          digits: 3,
        },
      ],
      {
        height: 240,
        scales: { y: { range: [-1, 1] } },
        axes: [K.yAxis('imbalance (−1 … +1)')],
        plugins: gate ? [K.gateShading(gate)] : [],
      },
    );
  }

  /** @param {SymbolData} s */
  function pUpChart(s) {
    const p = obj(s.metrics?.['predictor']);
    const horizon = typeof p['horizon'] === 'string' ? ` over ${p['horizon']}` : '';
    const c = card(
      'Online predictor',
      `p_up: the walk-forward logistic model’s probability that the mid moves up${horizon} (bucket mean); each prediction is made before its label is learned.`,
    );
    root.append(c);
    if (Object.keys(p).length > 0) {
      c.append(
        tiles([
          [
            'accuracy (base rate)',
            `${K.fmtPct(num(p['accuracy']))} (${K.fmtPct(num(p['accuracy_base_rate']))})`,
          ],
          ['AUC', K.fmt(num(p['auc']), 3)],
          [
            'log-loss (base rate)',
            `${K.fmt(num(p['log_loss']), 3)} (${K.fmt(num(p['log_loss_base_rate']), 3)})`,
          ],
          ['Brier (base rate)', `${K.fmt(num(p['brier']), 3)} (${K.fmt(num(p['brier_base_rate']), 3)})`],
          ['evaluated moves', K.fmtInt(num(p['evaluated']))],
        ]),
      );
    }
    timeChart(
      'p_up',
      c,
      s,
      [{ label: 'p_up', values: s.series['p_up'] ?? [], stroke: COLORS.pUp, width: 1.5, digits: 3 }],
      {
        height: 180,
        scales: { y: { range: [0, 1] } },
        axes: [K.yAxis('probability')],
      },
    );
  }

  /**
   * @param {SymbolData} s
   * @param {HTMLElement} parent
   */
  function leadLagCard(s, parent) {
    const ll = s.leadLag;
    const source =
      ll === null
        ? 'No lead/lag profile.'
        : ll.source === 'metrics'
          ? 'From the metrics JSON.'
          : 'Pearson, computed by the report from the rows (the metrics JSON has no lead/lag profile).';
    const c = card(
      'Lead/lag profile',
      `corr(feature at t, mid return over sample interval t+k); k > 0: the feature leads. Shaded: 95% interval. ${source}`,
    );
    parent.append(c);
    if (ll === null || ll.series.length === 0) return;
    const lags = ll.series[0]?.lags ?? [];
    const series = ll.series.filter((x) => x.lags.length === lags.length);
    const box = el('div', { class: 'chart', 'data-chart': 'leadlag' });
    c.append(box);
    const colors = COLORS.series;
    /** @type {import('uplot').Options} */
    const options = {
      width: K.chartWidth(box),
      height: 260,
      scales: { x: { time: false }, y: { auto: true } },
      axes: [K.plainAxis('lag k (sample intervals)'), K.yAxis('correlation', { size: 56 })],
      series: [
        { label: 'k' },
        ...series.map((x, i) => ({
          label: `${x.feature} (${x.method})`,
          stroke: colors[i % colors.length],
          width: 2,
          dash: x.method === 'spearman' ? [6, 4] : undefined,
          // Spearman starts hidden (click its legend entry to show it): six lines at once are hard to read.
          show: x.method !== 'spearman' || series.every((y) => y.method === 'spearman'),
          points: { show: true, size: 5 },
          /** @type {(u: import('uplot'), v: number | null) => string} */
          value: (_u, v) => K.fmt(v, 3),
        })),
      ],
      hooks: {
        drawAxes: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            // Intervals under the lines.
            series.forEach((x, i) => {
              if (u.series[i + 1]?.show === false) return;
              ctx.fillStyle = hexAlpha(colors[i % colors.length] ?? '#888', 0.14);
              ctx.beginPath();
              let open = false;
              const upper = [];
              for (let j = 0; j < x.lags.length; j++) {
                const lo = x.low[j];
                const hi = x.high[j];
                if (lo === null || hi === null || lo === undefined || hi === undefined) continue;
                const px = u.valToPos(x.lags[j] ?? 0, 'x', true);
                if (!open) ctx.moveTo(px, u.valToPos(hi, 'y', true));
                else ctx.lineTo(px, u.valToPos(hi, 'y', true));
                open = true;
                upper.push([px, u.valToPos(lo, 'y', true)]);
              }
              for (let j = upper.length - 1; j >= 0; j--) ctx.lineTo(upper[j]?.[0] ?? 0, upper[j]?.[1] ?? 0);
              if (open) ctx.fill();
            });
            // Zero lines.
            ctx.strokeStyle = 'rgba(0,0,0,0.35)';
            ctx.lineWidth = 1;
            ctx.setLineDash([3, 3]);
            const y0 = u.valToPos(0, 'y', true);
            const x0 = u.valToPos(0, 'x', true);
            ctx.beginPath();
            ctx.moveTo(u.bbox.left, y0);
            ctx.lineTo(u.bbox.left + u.bbox.width, y0);
            ctx.moveTo(x0, u.bbox.top);
            ctx.lineTo(x0, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.restore();
          },
        ],
      },
    };
    const range = rangeOf(series.flatMap((x) => [...x.low, ...x.high, ...x.r]));
    if (range !== null) options.scales = { x: { time: false }, y: { range: pad(range, 0.1) } };
    /** @type {import('uplot').AlignedData} */
    const aligned = [lags, ...series.map((x) => x.r)];
    const chart = new uPlot(options, aligned, box);
    live.push({ chart, box });
    state.charts['leadlag'] = series.reduce((n, x) => n + K.countValues(x.r), 0);
  }

  /**
   * @param {SymbolData} s
   * @param {HTMLElement} parent
   */
  function decileCard(s, parent) {
    const c = card(
      'Mean forward return by obi decile',
      'Rows grouped into ten equal-count obi groups; mean forward log return in basis points, whiskers ±1.96 standard errors.',
    );
    parent.append(c);
    if (s.deciles.length === 0 || s.horizons.length === 0) {
      c.append(el('p', { class: 'note', text: 'No rows with both obi and a forward return.' }));
      return;
    }
    const xs = s.deciles.map((d) => d.decile);
    const colors = COLORS.series;
    const lines = s.horizons.map((label, h) => ({
      label,
      values: s.deciles.map((d) => {
        const m = d.returns[h]?.mean;
        return m === null || m === undefined ? null : m * 1e4;
      }),
      err: s.deciles.map((d) => {
        const se = d.returns[h]?.se;
        return se === null || se === undefined ? null : 1.96 * se * 1e4;
      }),
      color: colors[h % colors.length] ?? '#333',
    }));
    const box = el('div', { class: 'chart', 'data-chart': 'deciles' });
    c.append(box);
    const all = lines.flatMap((l) =>
      l.values.flatMap((v, i) => (v === null ? [] : [v - (l.err[i] ?? 0), v + (l.err[i] ?? 0)])),
    );
    const range = rangeOf([...all, 0]);
    /** @type {import('uplot').Options} */
    const options = {
      width: K.chartWidth(box),
      height: 260,
      scales: {
        x: { time: false, range: [0.5, 10.5] },
        y: range ? { range: pad(range, 0.08) } : { auto: true },
      },
      axes: [
        {
          ...K.plainAxis('obi decile (1 = most ask-heavy, 10 = most bid-heavy)'),
          splits: () => xs,
          values: (_u, splits) => splits.map((v) => `D${v}`),
        },
        K.yAxis('mean forward return (bps)', { size: 60 }),
      ],
      series: [
        { label: 'decile', value: (_u, v) => (v === null ? '–' : `D${v}`) },
        ...lines.map((l) => ({
          label: l.label,
          stroke: l.color,
          width: 2,
          points: { show: true, size: 7, fill: l.color },
          /** @type {(u: import('uplot'), v: number | null) => string} */
          value: (_u, v) => (v === null ? '–' : `${K.fmt(v, 3)} bps`),
        })),
      ],
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.lineWidth = 1.5;
            lines.forEach((l, i) => {
              // Small horizontal offsets keep several horizons' whiskers apart.
              const dx = (i - (lines.length - 1) / 2) * 4 * window.devicePixelRatio;
              ctx.strokeStyle = l.color;
              ctx.beginPath();
              l.values.forEach((v, j) => {
                const e = l.err[j];
                if (v === null || e === null || e === undefined) return;
                const px = u.valToPos(xs[j] ?? 0, 'x', true) + dx;
                ctx.moveTo(px, u.valToPos(v - e, 'y', true));
                ctx.lineTo(px, u.valToPos(v + e, 'y', true));
              });
              ctx.stroke();
            });
            ctx.strokeStyle = 'rgba(0,0,0,0.35)';
            ctx.setLineDash([3, 3]);
            ctx.beginPath();
            const y0 = u.valToPos(0, 'y', true);
            ctx.moveTo(u.bbox.left, y0);
            ctx.lineTo(u.bbox.left + u.bbox.width, y0);
            ctx.stroke();
            ctx.restore();
          },
        ],
      },
    };
    /** @type {import('uplot').AlignedData} */
    const aligned = [xs, ...lines.map((l) => l.values)];
    const chart = new uPlot(options, aligned, box);
    live.push({ chart, box });
    state.charts['deciles'] = lines.reduce((n, l) => n + K.countValues(l.values), 0);
    const table = el(
      'table',
      { class: 'numbers' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { text: 'decile' }),
          el('th', { text: 'obi range' }),
          el('th', { text: 'rows' }),
          ...s.horizons.map((h) => el('th', { text: `mean ${h}` })),
        ),
      ),
      el(
        'tbody',
        {},
        ...s.deciles.map((d) =>
          el(
            'tr',
            {},
            el('td', { text: `D${d.decile}` }),
            el('td', { text: `${d.obiLow.toFixed(3)} … ${d.obiHigh.toFixed(3)}` }),
            el('td', { text: K.fmtInt(d.rows) }),
            ...d.returns.map((r) =>
              el('td', { text: K.fmtBps(r.mean), title: `n=${r.n}, t=${K.fmt(r.t, 3)}` }),
            ),
          ),
        ),
      ),
    );
    c.append(el('details', {}, el('summary', { text: 'Table' }), table));
  }

  /**
   * @typedef {{ n: number | null, mean: number | null, t: number | null, up: number | null, down: number | null,
   *   upLift: number | null, downLift: number | null }} GateCell
   * @typedef {{ name: string, share: number | null, rows: number | null, entries: number | null,
   *   byHorizon: Record<string, GateCell> }} GateStateView
   * @typedef {{ source: 'metrics' | 'rows', horizons: string[], states: GateStateView[],
   *   base: Record<string, GateCell> }} GateView
   */

  /**
   * @param {unknown} v
   * @returns {number | null}
   */
  function num(v) {
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  }

  /**
   * @param {unknown} v
   * @returns {Record<string, unknown>}
   */
  function obj(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? /** @type {Record<string, unknown>} */ (v)
      : {};
  }

  /**
   * The gate table's data: the metrics JSON's `gate` (t-statistics on non-overlapping windows, lifts over the
   * base rate) when there is one, else the report's own tally of the rows.
   * @param {SymbolData} s
   * @returns {GateView | null}
   */
  function gateView(s) {
    const mg = obj(s.metrics?.['gate']);
    const states = obj(mg['states']);
    if (Object.keys(states).length > 0) {
      const horizons = Object.keys(obj(mg['base_rates']));
      /** @type {Record<string, GateCell>} */
      const base = {};
      for (const h of horizons) {
        const b = obj(obj(mg['base_rates'])[h]);
        base[h] = {
          n: num(b['n']),
          mean: num(b['mean']),
          t: null,
          up: num(b['up_rate']),
          down: num(b['down_rate']),
          upLift: 1,
          downLift: 1,
        };
      }
      return {
        source: 'metrics',
        horizons,
        base,
        states: ['bearish', 'neutral', 'bullish'].map((name) => {
          const st = obj(states[name]);
          /** @type {Record<string, GateCell>} */
          const byHorizon = {};
          for (const h of horizons) {
            const f = obj(obj(st['forward'])[h]);
            byHorizon[h] = {
              n: num(f['n_nonoverlap']) ?? num(f['n']),
              mean: num(f['mean']),
              t: num(f['t_stat_nonoverlap']) ?? num(f['t_stat']),
              up: num(f['up_rate']),
              down: num(f['down_rate']),
              upLift: num(f['up_lift']),
              downLift: num(f['down_lift']),
            };
          }
          return {
            name,
            share: num(st['share_time']) ?? num(st['share_rows']),
            rows: num(st['rows']),
            entries: num(st['entries']),
            byHorizon,
          };
        }),
      };
    }
    const g = s.gate;
    if (g === null) return null;
    /**
     * @param {ReturnSummary | undefined} r
     * @param {ReturnSummary | undefined} all
     * @returns {GateCell}
     */
    const cell = (r, all) => ({
      n: r?.n ?? null,
      mean: r?.mean ?? null,
      t: r?.t ?? null,
      up: r?.up ?? null,
      down: r?.down ?? null,
      upLift: r?.up != null && all?.up ? r.up / all.up : null,
      downLift: r?.down != null && all?.down ? r.down / all.down : null,
    });
    /** @type {Record<string, GateCell>} */
    const base = {};
    s.horizons.forEach((h, i) => (base[h] = cell(g.all[i], g.all[i])));
    return {
      source: 'rows',
      horizons: s.horizons,
      base,
      states: g.states.map((st) => {
        /** @type {Record<string, GateCell>} */
        const byHorizon = {};
        s.horizons.forEach((h, i) => (byHorizon[h] = cell(st.returns[i], g.all[i])));
        return { name: st.name, share: st.share, rows: st.rows, entries: null, byHorizon };
      }),
    };
  }

  /** @param {SymbolData} s */
  function gateCard(s) {
    const view = gateView(s);
    if (view === null || view.horizons.length === 0) {
      root.append(
        card(
          'Returns by gate state',
          null,
          el('p', {
            class: 'note',
            text: 'No gate states in the rows: run with the toxicity gate to see its conditional returns.',
          }),
        ),
      );
      return;
    }
    const c = card(
      'Returns by gate state',
      view.source === 'metrics'
        ? 'What followed each state of the toxicity gate (metrics JSON): mean forward log return, its t-statistic on non-overlapping windows (bold when |t| ≥ 1.96), and how often the mid moved down or up, against the base rate of all rows.'
        : 'What followed each state of the toxicity gate (tallied from the rows): mean forward log return, its t-statistic (bold when |t| ≥ 1.96; overlapping windows overstate it), and how often the mid moved down or up, against the base rate.',
    );
    root.append(c);
    const picker = el('div', { class: 'picker' }, el('span', { class: 'picker-label', text: 'horizon:' }));
    const holder = el('div', { class: 'scroll' });
    c.append(picker, holder);
    /** @param {string} h */
    const show = (h) => {
      for (const b of picker.querySelectorAll('button'))
        b.classList.toggle('active', b.getAttribute('data-h') === h);
      const maxAbs = Math.max(1e-15, ...view.states.map((st) => Math.abs(st.byHorizon[h]?.mean ?? 0)));
      /**
       * @param {string} name
       * @param {string} share
       * @param {string} entries
       * @param {GateCell | undefined} g
       * @param {string} cls
       */
      const row = (name, share, entries, g, cls) =>
        el(
          'tr',
          { class: cls },
          el('td', { text: name }),
          el('td', { text: share }),
          el('td', { text: entries }),
          el('td', { class: 'bar-cell' }, bar(g?.mean ?? 0, maxAbs), el('span', { text: K.fmtBps(g?.mean) })),
          el('td', { text: K.fmt(g?.t, 3), class: g?.t != null && Math.abs(g.t) >= 1.96 ? 'strong' : '' }),
          el('td', { text: K.fmtInt(g?.n) }),
          el('td', { text: K.fmtPct(g?.down, 1) }),
          el('td', { text: K.fmtPct(g?.up, 1) }),
          el('td', { text: g?.downLift != null ? `×${g.downLift.toFixed(2)}` : '–' }),
          el('td', { text: g?.upLift != null ? `×${g.upLift.toFixed(2)}` : '–' }),
        );
      holder.replaceChildren(
        el(
          'table',
          { class: 'numbers gate-table' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ...[
                'state',
                'share of time',
                'entries',
                'mean forward return',
                't',
                'n (for t)',
                'P(down)',
                'P(up)',
                'down lift',
                'up lift',
              ].map((t) => el('th', { text: t })),
            ),
          ),
          el(
            'tbody',
            {},
            ...view.states.map((st) =>
              row(
                st.name,
                `${K.fmtPct(st.share)}${st.rows !== null ? ` (${K.fmtInt(st.rows)})` : ''}`,
                K.fmtInt(st.entries),
                st.byHorizon[h],
                `gate-${st.name}`,
              ),
            ),
            row('all rows (base rate)', '100%', '–', view.base[h], 'base'),
          ),
        ),
      );
    };
    for (const h of view.horizons) {
      const b = el('button', { type: 'button', 'data-h': h, text: h });
      b.addEventListener('click', () => show(h));
      picker.append(b);
    }
    // The first time horizon when there is one (the next-sample label is noisiest).
    show(view.horizons.find((h) => h !== 'next sample') ?? view.horizons[0] ?? '');
  }

  /** @param {SymbolData} s */
  function horizonsCard(s) {
    const hz = obj(s.metrics?.['horizons']);
    const names = Object.keys(hz);
    if (names.length === 0) return;
    const signals = [...new Set(names.flatMap((h) => Object.keys(obj(obj(hz[h])['ic']))))];
    /**
     * @param {unknown} v
     * @param {number} digits
     */
    const withCi = (v, digits) => {
      const o = obj(v);
      const r = num(o['pearson'] ?? o['rate']);
      const ci = o['pearson_ci95'] ?? o['ci95'];
      const lohi = Array.isArray(ci) ? ` [${K.fmt(num(ci[0]), digits)}, ${K.fmt(num(ci[1]), digits)}]` : '';
      return `${K.fmt(r, digits)}${lohi}`;
    };
    const table = el(
      'table',
      { class: 'numbers' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { text: 'horizon' }),
          el('th', { text: 'labelled rows' }),
          el('th', { text: 'zero moves' }),
          ...signals.map((sig) => el('th', { text: `IC ${sig} [95%]` })),
          el('th', { text: 'hit rate of sign(obi) [95%]' }),
        ),
      ),
      el(
        'tbody',
        {},
        ...names.map((h) => {
          const o = obj(hz[h]);
          return el(
            'tr',
            {},
            el('td', { text: h }),
            el('td', { text: K.fmtInt(num(o['labelled'])) }),
            el('td', {
              text: K.fmtPct(num(o['zero_move_share'])),
              class: o['mid_rarely_moves'] === true ? 'strong' : '',
            }),
            ...signals.map((sig) => el('td', { text: withCi(obj(o['ic'])[sig], 3) })),
            el('td', { text: withCi(o['hit_rate'], 3) }),
          );
        }),
      ),
    );
    root.append(
      card(
        'Predictive power by horizon',
        'Information coefficient (Pearson correlation of the signal with the forward return) and the hit rate of sign(obi) over non-zero moves, with 95% intervals (metrics JSON). A high share of zero moves means the mid rarely moves at that horizon.',
        el('div', { class: 'scroll' }, table),
      ),
    );
  }

  /**
   * A small signed bar for a table cell.
   * @param {number} value
   * @param {number} maxAbs
   */
  function bar(value, maxAbs) {
    const w = Math.min(50, (Math.abs(value) / maxAbs) * 50);
    const b = el('span', { class: `bar ${value >= 0 ? 'pos' : 'neg'}` });
    b.style.width = `${w}%`;
    b.style.left = value >= 0 ? '50%' : `${50 - w}%`;
    return el('span', { class: 'bar-track' }, b);
  }

  /** @param {SymbolData} s */
  function spreadDepthChart(s) {
    const c = card(
      'Spread and depth',
      'Spread in basis points of the mid (range per bucket); resting quantity over the top L levels per side (bucket mean).',
    );
    root.append(c);
    timeChart(
      'spread_depth',
      c,
      s,
      [
        {
          label: 'spread',
          values: s.series['spread_bps'] ?? [],
          stroke: COLORS.spread,
          width: 1.25,
          scale: 'bps',
          unit: ' bps',
          digits: 4,
        },
        {
          label: 'bid depth (top L)',
          values: s.series['bid_vol_L'] ?? [],
          stroke: COLORS.bid,
          width: 1.5,
          scale: 'qty',
          digits: 5,
        },
        {
          label: 'ask depth (top L)',
          values: s.series['ask_vol_L'] ?? [],
          stroke: COLORS.ask,
          width: 1.5,
          scale: 'qty',
          digits: 5,
        },
      ],
      {
        height: 240,
        scales: { bps: { auto: true }, qty: { auto: true } },
        axes: [
          K.yAxis('spread (bps)', { scale: 'bps' }),
          K.yAxis('depth (base-asset quantity)', { scale: 'qty', side: 1, grid: { show: false } }),
        ],
      },
    );
  }

  /** @param {SymbolData} s */
  function qualityCard(s) {
    const q = s.quality;
    const m = s.metrics ?? {};
    // The metrics' quantiles are exact up to 2^16 values; the report's own switch to a sketch sooner.
    const fromMetrics = /** @type {Quantiles | undefined} */ (m['latency_ms_quantiles']);
    const lat = fromMetrics && typeof fromMetrics['p50'] === 'number' ? fromMetrics : q.latencyMs;
    const st = q.statuses;
    const c = card(
      'Data quality',
      'Rows by status, resyncs, holes in the timeline (rows more than 2.5 intervals apart) and request latency.',
    );
    root.append(c);
    c.append(
      tiles([
        ['valid rows', K.fmtInt(st['ok'] ?? 0)],
        ['missing rows', `${K.fmtInt(st['missing'] ?? 0)} in ${K.fmtInt(q.missingRuns)} run(s)`],
        ['unsynced rows', K.fmtInt(st['unsynced'] ?? 0)],
        ['invalid rows', K.fmtInt(st['invalid'] ?? 0)],
        ['resyncs', K.fmtInt(q.resyncs)],
        ['crossed books', K.fmtInt(q.crossedRows)],
        ['time gaps', `${K.fmtInt(q.gaps)} (${K.fmtDuration(q.gapTimeMs)})`],
        [
          'latency p50 / p95 / p99',
          lat ? `${K.fmt(lat['p50'], 3)} / ${K.fmt(lat['p95'], 3)} / ${K.fmt(lat['p99'], 3)} ms` : '–',
        ],
      ]),
    );
    const bad = [];
    for (const share of s.badShareByBucket) bad.push(share * 100, share * 100);
    timeChart(
      'quality',
      c,
      s,
      [
        {
          label: 'latency',
          values: s.series['latency_ms'] ?? [],
          stroke: COLORS.latency,
          width: 1.25,
          scale: 'ms',
          unit: ' ms',
          digits: 4,
        },
        {
          label: 'rows not ok',
          values: bad,
          stroke: COLORS.bad,
          width: 1,
          scale: 'pct',
          fill: 'rgba(213, 94, 0, 0.15)',
          unit: '%',
          digits: 3,
        },
      ],
      {
        height: 200,
        scales: { ms: { auto: true }, pct: { range: [0, 100] } },
        axes: [
          K.yAxis('latency (ms)', { scale: 'ms' }),
          K.yAxis('rows not ok (%)', { scale: 'pct', side: 1, grid: { show: false } }),
        ],
      },
    );
    const interval = q.intervalMs === null ? 'unknown interval' : `interval ${K.fmtDuration(q.intervalMs)}`;
    if (q.largestGaps.length > 0) {
      c.append(
        el('h4', { text: `Largest time gaps (${interval})` }),
        el(
          'table',
          { class: 'numbers' },
          el(
            'thead',
            {},
            el('tr', {}, el('th', { text: 'from' }), el('th', { text: 'to' }), el('th', { text: 'length' })),
          ),
          el(
            'tbody',
            {},
            ...q.largestGaps.map((g) =>
              el(
                'tr',
                {},
                el('td', { text: K.fmtTime(g.fromMs) }),
                el('td', { text: K.fmtTime(g.toMs) }),
                el('td', { text: K.fmtDuration(g.toMs - g.fromMs) }),
              ),
            ),
          ),
        ),
      );
    } else {
      c.append(el('p', { class: 'note', text: `No time gaps (${interval}).` }));
    }
    if (q.reasons.length > 0) {
      c.append(
        el('h4', { text: 'Why rows were not ok' }),
        el(
          'table',
          { class: 'numbers' },
          el('thead', {}, el('tr', {}, el('th', { text: 'reason' }), el('th', { text: 'rows' }))),
          el(
            'tbody',
            {},
            ...q.reasons.map((r) =>
              el('tr', {}, el('td', { class: 'text', text: r.reason }), el('td', { text: K.fmtInt(r.rows) })),
            ),
          ),
        ),
      );
    }
  }

  /** @param {SymbolData} s */
  function metricsCard(s) {
    if (s.metrics === null) return;
    const rows = [];
    for (const [key, value] of Object.entries(s.metrics)) {
      if (value === null || typeof value !== 'object') {
        rows.push(
          el(
            'tr',
            {},
            el('th', { text: key }),
            el('td', { text: typeof value === 'number' ? K.fmt(value, 6) : String(value) }),
          ),
        );
      } else if (
        !Array.isArray(value) &&
        Object.values(value).every((v) => typeof v === 'number' || v === null)
      ) {
        const text = Object.entries(value)
          .map(([k, v]) => `${k} ${K.fmt(/** @type {number | null} */ (v), 4)}`)
          .join(' · ');
        rows.push(el('tr', {}, el('th', { text: key }), el('td', { text })));
      } else {
        rows.push(
          el(
            'tr',
            {},
            el('th', { text: key }),
            el('td', { class: 'json' }, el('code', { text: JSON.stringify(value).slice(0, 400) })),
          ),
        );
      }
    }
    root.append(
      el(
        'section',
        { class: 'card' },
        el(
          'details',
          {},
          el('summary', { text: 'All metrics of this symbol (metrics JSON)' }),
          el('table', { class: 'kv' }, el('tbody', {}, ...rows)),
        ),
      ),
    );
  }

  // ---- small helpers ---------------------------------------------------------------------------------

  /**
   * @param {(number | null | undefined)[]} values
   * @returns {[number, number] | null}
   */
  function rangeOf(values) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return lo <= hi ? [lo, hi] : null;
  }

  /**
   * @param {[number, number]} range
   * @param {number} share
   * @returns {[number, number]}
   */
  function pad([lo, hi], share) {
    const span = hi - lo || Math.abs(hi) || 1;
    return [lo - span * share, hi + span * share];
  }

  /**
   * @param {string} hex `#rrggbb`
   * @param {number} alpha
   */
  function hexAlpha(hex, alpha) {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
})();
