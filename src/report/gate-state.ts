/**
 * The toxicity gate's state as a number: −1 bearish, 0 neutral, +1 bullish. The `gate` column may hold the
 * state's name or a signed number, depending on the writer; both read the same here.
 */

export type GateState = -1 | 0 | 1;

/** The states in display order, with their names. */
export const GATE_STATES: readonly { readonly state: GateState; readonly name: string }[] = [
  { state: -1, name: 'bearish' },
  { state: 0, name: 'neutral' },
  { state: 1, name: 'bullish' },
];

const NAMES: Readonly<Record<string, GateState>> = {
  bearish: -1,
  bear: -1,
  sell: -1,
  short: -1,
  neutral: 0,
  flat: 0,
  none: 0,
  bullish: 1,
  bull: 1,
  buy: 1,
  long: 1,
};

/** Returns the gate state of a cell, or null when the cell holds none (empty, NaN, unknown text). */
export function gateStateOf(value: unknown): GateState | null {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return null;
    return value > 0 ? 1 : value < 0 ? -1 : 0;
  }
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === '') return null;
    const named = NAMES[text];
    if (named !== undefined) return named;
    const n = Number(text);
    return Number.isNaN(n) ? null : gateStateOf(n);
  }
  return null;
}
