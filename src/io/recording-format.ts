/**
 * obi's recording format, version 1: NDJSON (plain or gzip), a header line then one line per message as
 * it was received. The full specification is docs/recording-format.md; this file is its typed form.
 */
import type { Venue } from '../events.js';

/** The format version this code writes and the highest it reads. */
export const RECORDING_VERSION = 1;

/** Line 1 of every recording file. */
export interface RecordingHeader extends Venue {
  /** Format version; readers refuse versions above the one they know. */
  readonly obi_recording: number;
  /** When the recording was started (epoch ms). */
  readonly created_ms: number;
  /** Free text from the user (`--note`), or null. */
  readonly note?: string | null;
  /** The options the recorder ran with, for reproducibility. Any JSON object. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Index of this file within a rotated directory (0 for the first file); absent for a single file. */
  readonly part?: number;
}

/** A REST depth snapshot (`GET /api/v3/depth`, `/fapi/v1/depth`) as received. */
export interface RestDepthLine {
  /** Local receive time, epoch ms (fractional allowed). */
  readonly t: number;
  readonly k: 'rest_depth';
  readonly s: string;
  /** The `limit` the request asked for. */
  readonly lim: number;
  /** When the request was sent, epoch ms. */
  readonly ts: number;
  /** The response body, verbatim. */
  readonly d: unknown;
}

/** One websocket message as received: a combined-stream `{"stream","data"}` envelope or a raw payload. */
export interface WsLine {
  readonly t: number;
  readonly k: 'ws';
  /** The symbol, when the recorder knows it (raw streams); optional. */
  readonly s?: string;
  readonly d: unknown;
  /**
   * The message's text exactly as received, already checked to be one JSON value: written as `d`
   * verbatim instead of serializing `d` again (the depth stream's fast path never builds `d`).
   */
  readonly raw?: string;
}

/** A poll tick that got no answer (timeout, HTTP error, rate limit): kept so it becomes a missing row. */
export interface RestMissingLine {
  readonly t: number;
  readonly k: 'rest_missing';
  readonly s: string;
  /** Why, e.g. `timeout after 8000 ms`, `HTTP 503`. */
  readonly r: string;
  /** When the request was sent, epoch ms. */
  readonly ts: number;
}

/** A trade from a separate trade feed (`trade` or `aggTrade` payload, or its combined envelope). */
export interface TradeLine {
  readonly t: number;
  readonly k: 'trade';
  readonly s: string;
  readonly d: unknown;
}

/** Any message line of a version-1 recording. */
export type RecordingLine = RestDepthLine | WsLine | RestMissingLine | TradeLine;

/** Returns the JSON text of `line` (no newline), keys in the documented order. */
export function serializeRecordingLine(line: RecordingLine): string {
  switch (line.k) {
    case 'rest_depth':
      return JSON.stringify({ t: line.t, k: line.k, s: line.s, lim: line.lim, ts: line.ts, d: line.d });
    case 'ws':
      if (line.raw !== undefined) {
        const s = line.s === undefined ? '' : `,"s":${JSON.stringify(line.s)}`;
        return `{"t":${JSON.stringify(line.t)},"k":"ws"${s},"d":${line.raw}}`;
      }
      return JSON.stringify(
        line.s === undefined
          ? { t: line.t, k: line.k, d: line.d }
          : { t: line.t, k: line.k, s: line.s, d: line.d },
      );
    case 'rest_missing':
      return JSON.stringify({ t: line.t, k: line.k, s: line.s, r: line.r, ts: line.ts });
    case 'trade':
      return JSON.stringify({ t: line.t, k: line.k, s: line.s, d: line.d });
  }
}
