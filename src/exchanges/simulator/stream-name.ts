/**
 * Binance market-stream names the simulator serves (web-socket-streams.md; USD-M "Websocket Market
 * Streams"): lowercase symbol, then the stream.
 * - spot: `<s>@depth` (1000 ms) | `<s>@depth@100ms`; `<s>@depth5|10|20` (1000 ms) | `…@100ms`;
 *   `<s>@trade`; `<s>@aggTrade`.
 * - futures: `<s>@depth` (250 ms) | `@depth@500ms` | `@depth@100ms`; `<s>@depth5|10|20` with the same
 *   speeds; `<s>@aggTrade`.
 */

export type StreamSpec =
  | { readonly kind: 'diff'; readonly symbol: string; readonly intervalMs: number }
  | {
      readonly kind: 'partial';
      readonly symbol: string;
      readonly intervalMs: number;
      readonly levels: 5 | 10 | 20;
    }
  | { readonly kind: 'trade' | 'aggTrade'; readonly symbol: string };

const DEPTH = /^([a-z0-9]{2,20})@depth(5|10|20)?(?:@(100|250|500|1000)ms)?$/;
const TRADE = /^([a-z0-9]{2,20})@(trade|aggTrade)$/;

/** Returns what a stream name means, or null when the simulator does not serve it on this market. */
export function parseStreamName(name: string, market: 'spot' | 'futures'): StreamSpec | null {
  const d = DEPTH.exec(name);
  if (d !== null) {
    const symbol = (d[1] as string).toUpperCase();
    const speed = d[3] === undefined ? undefined : Number(d[3]);
    let intervalMs: number;
    if (market === 'spot') {
      if (speed !== undefined && speed !== 100) return null;
      intervalMs = speed ?? 1000;
    } else {
      if (speed !== undefined && speed !== 100 && speed !== 500) return null;
      intervalMs = speed ?? 250;
    }
    if (d[2] === undefined) return { kind: 'diff', symbol, intervalMs };
    return { kind: 'partial', symbol, intervalMs, levels: Number(d[2]) as 5 | 10 | 20 };
  }
  const t = TRADE.exec(name);
  if (t !== null) {
    const kind = t[2] as 'trade' | 'aggTrade';
    if (market === 'futures' && kind === 'trade') return null;
    return { kind, symbol: (t[1] as string).toUpperCase() };
  }
  return null;
}

/** Returns every stream name served for `symbol` on `market`. */
export function streamNamesFor(symbol: string, market: 'spot' | 'futures'): string[] {
  const s = symbol.toLowerCase();
  const speeds = market === 'spot' ? ['', '@100ms'] : ['', '@500ms', '@100ms'];
  const names: string[] = [];
  for (const levels of ['', '5', '10', '20'])
    for (const speed of speeds) names.push(`${s}@depth${levels}${speed}`);
  names.push(`${s}@aggTrade`);
  if (market === 'spot') names.push(`${s}@trade`);
  return names;
}
