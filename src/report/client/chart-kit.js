// @ts-check
/*
 * Browser helpers shared by the report page and the live dashboard: DOM building, number formats, colours,
 * and uPlot pieces (UTC time axis, gate-state shading). A classic script: it defines one global, `obiKit`,
 * used by the page scripts inlined after it. Plain ES2020 so pages need no build step; type-checked with
 * scripts/tsconfig.client.json.
 */
/* global window, document */

// eslint-disable-next-line @typescript-eslint/no-unused-vars
const obiKit = (() => {
  'use strict';

  /** @typedef {import('uplot')} UPlot */
  /** @typedef {import('uplot').Options} UPlotOptions */
  /** @typedef {import('uplot').Plugin} UPlotPlugin */
  /** @typedef {-1 | 0 | 1 | null} GateValue */

  /** @type {typeof import('uplot')} */
  const uPlot = /** @type {{ uPlot: typeof import('uplot') }} */ (/** @type {unknown} */ (window)).uPlot;

  /** Colours: a colour-blind-safe set (Okabe & Ito 2008) with a neutral grey. */
  const COLORS = {
    mid: '#1d3557',
    obi: '#8ecae6',
    obiEma: '#0072b2',
    bid: '#009e73',
    ask: '#d55e00',
    spread: '#cc79a7',
    latency: '#e69f00',
    bad: '#d55e00',
    pUp: '#6a4c93',
    grid: 'rgba(0,0,0,0.07)',
    axis: '#555',
    series: ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'],
  };

  /** Gate shading fills: bearish red, bullish green, neutral left clear. */
  const GATE_FILL = {
    '-1': 'rgba(213, 94, 0, 0.16)',
    0: 'rgba(0, 0, 0, 0)',
    1: 'rgba(0, 158, 115, 0.16)',
  };

  const GATE_NAME = { '-1': 'bearish', 0: 'neutral', 1: 'bullish' };

  /**
   * Returns a new element with properties (`class`, `text`, `title`, `style`, data-* and other attributes)
   * and children (nodes or strings; null/false skipped).
   * @param {string} tag
   * @param {Record<string, string | number | boolean | null | undefined>} [props]
   * @param {...(Node | string | null | undefined | false)} children
   * @returns {HTMLElement}
   */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'class') node.className = String(value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child);
    }
    return node;
  }

  /**
   * Returns x with `digits` significant digits (or fixed decimals when `fixed`), `–` for no value.
   * @param {number | null | undefined} x
   * @param {number} [digits]
   * @param {boolean} [fixed]
   */
  function fmt(x, digits = 4, fixed = false) {
    if (x === null || x === undefined || !Number.isFinite(x)) return '–';
    if (fixed) return x.toFixed(digits);
    if (x !== 0 && (Math.abs(x) >= 1e9 || Math.abs(x) < 1e-4)) return x.toExponential(digits - 1);
    return Number(x.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 12 });
  }

  /**
   * Returns a log return in basis points, e.g. `+0.42 bps`.
   * @param {number | null | undefined} r
   */
  function fmtBps(r) {
    if (r === null || r === undefined || !Number.isFinite(r)) return '–';
    const bps = r * 1e4;
    const a = Math.abs(bps);
    // Tiny returns (a large-tick book over a short horizon) keep two significant digits instead of rounding to 0.
    const text = a === 0 ? '0' : a >= 10 ? bps.toFixed(1) : a >= 0.1 ? bps.toFixed(2) : bps.toPrecision(2);
    return `${bps > 0 ? '+' : ''}${text} bps`;
  }

  /**
   * Returns a share as a percentage.
   * @param {number | null | undefined} share
   * @param {number} [decimals]
   */
  function fmtPct(share, decimals = 1) {
    if (share === null || share === undefined || !Number.isFinite(share)) return '–';
    return `${(share * 100).toFixed(decimals)}%`;
  }

  /**
   * Returns a whole number with thousands separators.
   * @param {number | null | undefined} n
   */
  function fmtInt(n) {
    if (n === null || n === undefined || !Number.isFinite(n)) return '–';
    return Math.round(n).toLocaleString('en-US');
  }

  /**
   * Returns a duration like `2 h 05 min`, `3 min 20 s`, `850 ms`.
   * @param {number | null | undefined} ms
   */
  function fmtDuration(ms) {
    if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    const s = Math.round(ms / 1000);
    if (s < 60) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
    const h = Math.floor(m / 60);
    return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  }

  /**
   * Returns an epoch-ms time as `YYYY-MM-DD HH:MM:SS UTC`.
   * @param {number | null | undefined} ms
   */
  function fmtTime(ms) {
    if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
    return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  }

  /**
   * Returns how many entries are real numbers.
   * @param {ArrayLike<number | null | undefined>} values
   */
  function countValues(values) {
    let n = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== null && v !== undefined && Number.isFinite(v)) n++;
    }
    return n;
  }

  /**
   * Returns uPlot's `tzDate` for UTC: every time axis reads in UTC, like the CSV's timestamps.
   * @param {number} ts seconds since the epoch
   */
  function utcDate(ts) {
    return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');
  }

  /**
   * Returns a y axis with a label and the shared style.
   * @param {string} label
   * @param {Partial<import('uplot').Axis>} [extra]
   * @returns {import('uplot').Axis}
   */
  function yAxis(label, extra = {}) {
    return {
      label,
      labelSize: 22,
      labelFont: '600 12px system-ui, sans-serif',
      font: '11px system-ui, sans-serif',
      stroke: COLORS.axis,
      grid: { stroke: COLORS.grid, width: 1 },
      ticks: { stroke: COLORS.grid, width: 1 },
      size: 64,
      ...extra,
    };
  }

  /**
   * Returns the x axis of a time chart.
   * @returns {import('uplot').Axis}
   */
  function timeAxis() {
    return {
      label: 'time (UTC)',
      values: timeTicks,
      labelSize: 20,
      labelFont: '600 12px system-ui, sans-serif',
      font: '11px system-ui, sans-serif',
      stroke: COLORS.axis,
      grid: { stroke: COLORS.grid, width: 1 },
      ticks: { stroke: COLORS.grid, width: 1 },
    };
  }

  /**
   * Returns a plain (not time) x axis with a label.
   * @param {string} label
   * @returns {import('uplot').Axis}
   */
  function plainAxis(label) {
    return {
      label,
      labelSize: 20,
      labelFont: '600 12px system-ui, sans-serif',
      font: '11px system-ui, sans-serif',
      stroke: COLORS.axis,
      grid: { stroke: COLORS.grid, width: 1 },
      ticks: { stroke: COLORS.grid, width: 1 },
    };
  }

  /**
   * Returns 24-hour UTC tick labels: `HH:MM` (`HH:MM:SS` below a minute, tenths below a second), the date under the first
   * tick and wherever the day changes.
   * @param {UPlot} _u
   * @param {number[]} splits seconds since the epoch
   * @param {number} _axis
   * @param {number} _space
   * @param {number} incr seconds between ticks
   * @returns {string[]}
   */
  function timeTicks(_u, splits, _axis, _space, incr) {
    let previousDay = '';
    return splits.map((ts) => {
      const iso = new Date(ts * 1000).toISOString();
      const day = iso.slice(0, 10);
      const clock = iso.slice(11, incr < 1 ? 21 : incr < 60 ? 19 : 16);
      const label = incr >= 86400 ? day : day !== previousDay ? `${clock}\n${day}` : clock;
      previousDay = day;
      return label;
    });
  }

  /**
   * Returns a uPlot plugin shading each bucket by the gate state most of its rows had (behind the series).
   * `source()` is read at every redraw, so a live chart can keep appending.
   * @param {() => { start: ArrayLike<number>, width: number, state: ArrayLike<GateValue> } | null} source
   *   bucket starts and width in seconds
   * @returns {UPlotPlugin}
   */
  function gateShading(source) {
    return {
      hooks: {
        drawClear: [
          (u) => {
            const s = source();
            if (s === null || s.start.length === 0) return;
            const ctx = u.ctx;
            const { top, height } = u.bbox;
            ctx.save();
            let i = 0;
            while (i < s.start.length) {
              const state = s.state[i];
              let j = i + 1;
              // Consecutive buckets in one state: one rectangle.
              while (
                j < s.start.length &&
                s.state[j] === state &&
                (s.start[j] ?? 0) - (s.start[j - 1] ?? 0) <= s.width * 1.5
              )
                j++;
              if (state === -1 || state === 1) {
                const x0 = u.valToPos(s.start[i] ?? 0, 'x', true);
                const x1 = u.valToPos((s.start[j - 1] ?? 0) + s.width, 'x', true);
                const left = Math.max(x0, u.bbox.left);
                const right = Math.min(x1, u.bbox.left + u.bbox.width);
                if (right > left) {
                  ctx.fillStyle = GATE_FILL[state];
                  ctx.fillRect(left, top, right - left, height);
                }
              }
              i = j;
            }
            ctx.restore();
          },
        ],
      },
    };
  }

  /**
   * Returns a small legend of the gate's shading.
   * @returns {HTMLElement}
   */
  function gateLegend() {
    return el(
      'div',
      { class: 'gate-legend' },
      el('span', { class: 'chip chip-bearish' }),
      'bearish gate',
      el('span', { class: 'chip chip-bullish' }),
      'bullish gate',
      el('span', { class: 'chip chip-neutral' }),
      'neutral (unshaded)',
    );
  }

  /**
   * Returns the width a chart in `container` should have (its content box).
   * @param {HTMLElement} container
   */
  function chartWidth(container) {
    const style = window.getComputedStyle(container);
    const pad = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    return Math.max(320, Math.floor(container.clientWidth - pad));
  }

  return {
    uPlot,
    COLORS,
    GATE_FILL,
    GATE_NAME,
    el,
    fmt,
    fmtBps,
    fmtPct,
    fmtInt,
    fmtDuration,
    fmtTime,
    countValues,
    utcDate,
    yAxis,
    timeAxis,
    plainAxis,
    gateShading,
    gateLegend,
    chartWidth,
  };
})();
