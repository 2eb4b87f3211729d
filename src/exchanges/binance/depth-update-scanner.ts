/**
 * A fast path from the text of a Binance diff-depth message to a BookDiff, without JSON.parse.
 *
 * Diff-depth events are nearly every message of a depth stream, and turning their text into objects was
 * the largest single cost of a replay: JSON.parse builds an object per message, an array per level and a
 * string per price and quantity, and the parser then walks them again to validate. This scanner reads the
 * one shape Binance sends — `{"e":"depthUpdate","E":…,"s":"…","U":…,"u":…,("pu":…,)"b":[["p","q"],…],"a":[…]}`,
 * bare or in a combined-stream envelope `{"stream":"…","data":…}` (binance-spot-api-docs
 * `web-socket-streams.md`, diff depth; USD-M adds `T` and `pu`) — and validates while it reads.
 *
 * Prices and quantities are read straight into numbers (a ParsedDiff, core/book/parsed-diff.ts): no
 * string or array is made per level, and the book applies the numbers without parsing them again.
 *
 * It answers only when the answer is certain: for anything outside that plain form (whitespace, escapes,
 * exponents, a decimal with a leading zero or more digits than a double rebuilds, a level with a third element, a repeated key, a value of an unexpected type, another event)
 * it returns null, and the caller takes the general path (JSON.parse, then parseDepthUpdate), which gives
 * the same diff or the typed error. A property test holds the two paths to the same result. Pure: no I/O.
 */
import type { BookDiff, Venue } from '../../events.js';
import { ParsedDiff } from '../../core/book/parsed-diff.js';
import { packPlaces } from '../../core/book/parsed-levels.js';
import { fastDecimal, parseDecimal } from '../../core/book/price-parse.js';

const QUOTE = 34;
const COMMA = 44;
const DOT = 46;
const COLON = 58;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const DIGIT_0 = 48;
const LOWER_E = 101;
const UPPER_E = 69;
const SPACE = 32;

/** 2^52: see fixedPlaces (price-parse.ts). */
const TWO_POW_52 = 4503599627370496;

/** Bytes of the first message buffer; it doubles for a longer message. */
const INITIAL_BYTES = 1 << 14;
/** `"depthUpdate"`, the one event type the scanner reads, as bytes. */
const DEPTH_UPDATE = Array.from('"depthUpdate"', (c) => c.charCodeAt(0));

/** Slots of the symbol cache (a power of two); a replay or a live run has at most a few thousand symbols. */
const SYMBOL_SLOTS = 4096;

/** ASCII codes are below this (`load` leaves non-ASCII messages to the general path). */
const ASCII_END = 128;

/** The code of a two-character key: above every one-character code, one code per key. */
function twoCharKey(c1: number, c2: number): number {
  return ASCII_END * ASCII_END + c1 * ASCII_END + c2;
}

// Codes of the payload's keys (keyCode).
const KEY_E_TYPE = 101; // e
const KEY_E_TIME = 69; // E
const KEY_S = 115; // s
const KEY_FIRST = 85; // U
const KEY_FINAL = 117; // u
const KEY_PU = twoCharKey(112, 117); // pu
const KEY_B = 98; // b
const KEY_A = 97; // a

// Bits of the keys seen in one payload.
const SEEN_E_TYPE = 1;
const SEEN_E_TIME = 2;
const SEEN_S = 4;
const SEEN_FIRST = 8;
const SEEN_FINAL = 16;
const SEEN_PU = 32;
const SEEN_B = 64;
const SEEN_A = 128;
const REQUIRED = SEEN_E_TYPE | SEEN_E_TIME | SEEN_S | SEEN_FIRST | SEEN_FINAL | SEEN_B | SEEN_A;

/**
 * Scans diff-depth messages. One scanner serves any number of messages; it keeps only the position of the
 * last scan (`end`), so the caller can check what follows.
 */
export class DepthUpdateScanner {
  /** Index just past the JSON value the last successful scan read. */
  end = 0;
  /** The message being read, and its bytes (`load`). */
  private text = '';
  private ascii = false;
  private bytes = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  private b = new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, INITIAL_BYTES);
  private i = 0;
  // The fields of the payload being scanned.
  private symbol = '';
  private eventTime = 0;
  private first = 0;
  private final = 0;
  private pu = 0;
  private seenPu = false;
  private bids: number[] = [];
  private asks: number[] = [];
  // What the last digits() read, and the value decimal() made of it.
  private m = 0;
  private places = 0;
  private value = 0;
  /**
   * Symbols read before, direct-mapped by a hash of their bytes. A diff then carries the same string
   * object for a symbol every time: no string is made per message, and the per-symbol Map lookups
   * downstream find its hash already computed and its key by identity. A clash just replaces the entry.
   */
  private readonly symbols: (string | undefined)[] = new Array<string | undefined>(SYMBOL_SLOTS).fill(
    undefined,
  );

  /**
   * Returns the diff of the message that starts at `text[start]` — a depthUpdate payload or a
   * combined-stream envelope holding one — or null when it is not one in the plain form (then nothing is
   * known about it: take the general path). Never throws. `end` is set on success.
   */
  scan(text: string, start: number, venue: Venue, localTimeMs: number): BookDiff | null {
    if (!this.load(text)) return null;
    const b = this.b;
    this.i = start;
    if ((b[start] as number) !== OPEN_BRACE || (b[start + 1] as number) !== QUOTE) return null;
    // The envelope's first key decides: `"e"` is a bare payload, `"stream"` or `"data"` an envelope.
    const c = b[start + 2] as number;
    let ok: boolean;
    if (c === LOWER_E && (b[start + 3] as number) === QUOTE) ok = this.payload();
    else ok = this.envelope();
    if (!ok) return null;
    this.end = this.i;
    return new ParsedDiff(
      {
        exchange: venue.exchange,
        market: venue.market,
        symbol: this.symbol,
        firstUpdateId: this.first,
        finalUpdateId: this.final,
        prevFinalUpdateId: this.seenPu ? this.pu : null,
        exchangeTimeMs: this.eventTime,
        localTimeMs,
      },
      this.bids,
      this.asks,
    );
  }

  /**
   * Copies `text` into `b` as bytes, with a NUL after them that every check fails on (as charCodeAt's NaN
   * past the end did), and returns whether it is all ASCII: only then is byte `k` character `k`, and
   * anything else takes the general path (Binance sends ASCII). Reading a typed array is a load; reading
   * a line of a file with charCodeAt went through its parent string on every character (a replay's lines
   * are slices of the file's chunks, or joins), which made this scanner slower than JSON.parse on them.
   * The same string again (the receive time, then the message of one recording line) is not copied twice.
   */
  private load(text: string): boolean {
    if (text === this.text) return this.ascii;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit: with that room nothing is cut off, so the byte
    // count equals the length exactly when every character is ASCII.
    const room = text.length * 3 + 1;
    if (room > this.b.length) {
      let size = this.b.length * 2;
      while (size < room) size *= 2;
      this.bytes = Buffer.allocUnsafeSlow(size);
      this.b = new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, size);
    }
    // write(text) alone is Buffer's fast path (UTF-8 at 0): an offset or an encoding costs argument checks.
    const written = this.bytes.write(text);
    this.b[written] = 0;
    this.text = text;
    this.ascii = written === text.length;
    return this.ascii;
  }

  /** `{"stream":"…","data":{…}}` in either key order, nothing else. */
  private envelope(): boolean {
    const b = this.b;
    this.i++; // {
    let stream = false;
    let data = false;
    for (;;) {
      const key = this.key();
      if (key === 'stream') {
        if (stream || !this.skipPlainString()) return false;
        stream = true;
      } else if (key === 'data') {
        if (data || !this.payload()) return false;
        data = true;
      } else {
        return false;
      }
      const c = b[this.i++] as number;
      if (c === CLOSE_BRACE) return stream && data;
      if (c !== COMMA) return false;
    }
  }

  /** A depthUpdate payload object; sets the fields. */
  private payload(): boolean {
    const b = this.b;
    if ((b[this.i] as number) !== OPEN_BRACE) return false;
    this.i++;
    let seen = 0;
    this.seenPu = false;
    for (;;) {
      const key = this.keyCode();
      if (key < 0) return false;
      let bit: number;
      switch (key) {
        case KEY_E_TYPE:
          bit = SEEN_E_TYPE;
          if (!this.expectDepthUpdate()) return false;
          break;
        case KEY_E_TIME: {
          bit = SEEN_E_TIME;
          const v = this.integer();
          if (v < 0) return false;
          this.eventTime = v;
          break;
        }
        case KEY_S: {
          bit = SEEN_S;
          const v = this.symbolString();
          if (v === null || v.length === 0) return false;
          this.symbol = v;
          break;
        }
        case KEY_FIRST:
          bit = SEEN_FIRST;
          this.first = this.integer();
          if (this.first < 0) return false;
          break;
        case KEY_FINAL:
          bit = SEEN_FINAL;
          this.final = this.integer();
          if (this.final < 0) return false;
          break;
        case KEY_PU:
          bit = SEEN_PU;
          this.pu = this.integer();
          if (this.pu < 0) return false;
          this.seenPu = true;
          break;
        case KEY_B:
          bit = SEEN_B;
          this.bids = [];
          if (!this.levels(this.bids)) return false;
          break;
        case KEY_A:
          bit = SEEN_A;
          this.asks = [];
          if (!this.levels(this.asks)) return false;
          break;
        default:
          // Keys parseDepthUpdate does not read (USD-M's transaction time `T`, COIN-M's pair `ps`) are
          // skipped when their value is a plain string or integer; anything else goes the general way.
          bit = 0;
          if ((b[this.i] as number) === QUOTE ? !this.skipPlainString() : this.integer() < 0) return false;
      }
      if ((seen & bit) !== 0) return false;
      seen |= bit;
      const c = b[this.i++] as number;
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) return false;
    }
    return (seen & REQUIRED) === REQUIRED && this.final >= this.first;
  }

  /**
   * Reads `"key":` of a payload and returns its code: the character code of a one-character key,
   * `twoCharKey` of a two-character one, 0 for any other key (none the payload reads), -1 when it is not
   * a plain key. Numbers, not strings: the payload's switch is then a jump, and no key is sliced. Every
   * byte is ASCII (`load`), so the codes are distinct.
   */
  private keyCode(): number {
    const b = this.b;
    const i = this.i;
    const close = this.plainStringClose();
    if (close < 0 || (b[close + 1] as number) !== COLON) return -1;
    this.i = close + 2;
    const n = close - i - 1;
    if (n === 1) return b[i + 1] as number;
    if (n === 2) return twoCharKey(b[i + 1] as number, b[i + 2] as number);
    return 0;
  }

  /** Reads `"key":` and returns the key, or null. Keys are plain (no escapes). */
  private key(): string | null {
    const i = this.i;
    const close = this.plainStringClose();
    if (close < 0 || (this.b[close + 1] as number) !== COLON) return null;
    this.i = close + 2;
    // The keys that matter are one or two characters: avoid a slice for them.
    const n = close - i - 1;
    if (n === 1) return this.text[i + 1] as string;
    return this.text.slice(i + 1, close);
  }

  private expectDepthUpdate(): boolean {
    const b = this.b;
    const i = this.i;
    for (let k = 0; k < DEPTH_UPDATE.length; k++) {
      if ((b[i + k] as number) !== DEPTH_UPDATE[k]) return false;
    }
    this.i = i + DEPTH_UPDATE.length;
    return true;
  }

  /**
   * Reads a non-negative integer written as JSON writes one (no sign, no leading zero, no fraction or
   * exponent) that is a safe integer; returns -1 otherwise (the scan then fails, wherever `i` is).
   */
  private integer(): number {
    // digits() has JSON's grammar (no leading zero, no bare dot); a fraction or an exponent is not an
    // integer, and a value past 2^53 - 1 (digits accumulated beyond it only grow) is not a safe one.
    if (!this.digits() || this.places !== 0) return -1;
    const next = this.b[this.i] as number;
    if (next === LOWER_E || next === UPPER_E || !Number.isSafeInteger(this.m)) return -1;
    return this.m;
  }

  /** Returns the index of the closing quote of a string without escapes or control characters, or -1. */
  private plainStringClose(): number {
    const b = this.b;
    let k = this.i;
    if ((b[k] as number) !== QUOTE) return -1;
    // One pass: the first quote closes the string; a backslash, a control character or the end (NaN) first
    // means it is not plain.
    for (k++; ; k++) {
      const c = b[k] as number;
      if (c === QUOTE) return k;
      if (!(c >= SPACE) || c === BACKSLASH) return -1;
    }
  }

  /**
   * Reads a string without escapes or control characters (null otherwise), as the same string object as
   * the last time it was read when it is still in `symbols`.
   */
  private symbolString(): string | null {
    const close = this.plainStringClose();
    if (close < 0) return null;
    const b = this.b;
    const from = this.i + 1;
    this.i = close + 1;
    let hash = 0x811c9dc5; // FNV-1a over the bytes
    for (let k = from; k < close; k++) hash = Math.imul(hash ^ (b[k] as number), 0x01000193);
    const slot = hash & (SYMBOL_SLOTS - 1);
    const cached = this.symbols[slot];
    if (cached !== undefined && cached.length === close - from) {
      let same = true;
      for (let j = 0; j < cached.length && same; j++) same = cached.charCodeAt(j) === b[from + j];
      if (same) return cached;
    }
    // A flat copy: a slice of the message would keep the whole message alive as long as the entry.
    const value = this.bytes.toString('latin1', from, close);
    this.symbols[slot] = value;
    return value;
  }

  private skipPlainString(): boolean {
    const close = this.plainStringClose();
    if (close < 0) return false;
    this.i = close + 1;
    return true;
  }

  /**
   * Returns the non-negative JSON number without exponent that starts at `text[start]` (no sign, no
   * leading zero), valued bit for bit as `Number` values it, or NaN when there is none; `end` is set just
   * past it. For the receive time that precedes a recorded message (recording-diff-line.ts).
   */
  number(text: string, start: number): number {
    if (!this.load(text)) return Number.NaN;
    this.i = start;
    if (!this.digits()) return Number.NaN;
    this.end = this.i;
    const value = fastDecimal(this.m, this.places);
    return Number.isNaN(value) ? parseDecimal(text.slice(start, this.i)) : value;
  }

  /**
   * Reads `digits(.digits)?` in JSON's grammar (no leading zero before another integer digit) at `i`:
   * sets `m` (the digits without the dot, as an integer) and `places` (the fraction digits) and moves past
   * it, or returns false.
   */
  private digits(): boolean {
    const b = this.b;
    const start = this.i;
    let i = this.appendDigits(start, 0);
    const intDigits = i - start;
    if (intDigits === 0 || (intDigits > 1 && (b[start] as number) === DIGIT_0)) return false;
    let places = 0;
    if ((b[i] as number) === DOT) {
      const fracStart = i + 1;
      i = this.appendDigits(fracStart, this.m);
      places = i - fracStart;
      if (places === 0) return false;
    }
    this.places = places;
    this.i = i;
    return true;
  }

  /**
   * Appends the decimal digits from `b[from]` on to `m`, sets `m` to the result and returns the index past
   * them. Two digits a step: each multiply-add waits for the one before, so the chain's length, not the
   * loads, bounds the loop, and `m * 100 + (10 d1 + d2)` halves it. Exact while the result is below 2^53,
   * like one digit a step; at or above 2^53 both give at least 2^53 (rounding is monotonic), which every
   * caller refuses.
   */
  private appendDigits(from: number, m: number): number {
    const b = this.b;
    let i = from;
    for (;;) {
      const d1 = (b[i] as number) - DIGIT_0;
      if (!(d1 >= 0 && d1 <= 9)) break;
      // Past the last digit there is at least the NUL sentinel (load), so i + 1 is in the buffer.
      const d2 = (b[i + 1] as number) - DIGIT_0;
      if (!(d2 >= 0 && d2 <= 9)) {
        m = m * 10 + d1;
        i++;
        break;
      }
      m = m * 100 + (d1 * 10 + d2);
      i += 2;
    }
    this.m = m;
    return i;
  }

  /**
   * Reads `"digits(.digits)?"` (parse.ts's decimal shape) into `value` (bit for bit `Number` of it) and
   * `places` (its fraction digits), for the spellings those two give back exactly (fixedPlaces: no
   * leading zero, digits below 2^52) and that Clinger's fast path values (price-parse.ts: at most 22
   * places). Returns false for anything else: the general path then reads the message.
   */
  private decimal(): boolean {
    const b = this.b;
    if ((b[this.i] as number) !== QUOTE) return false;
    this.i++;
    if (!this.digits() || (b[this.i] as number) !== QUOTE || !(this.m < TWO_POW_52)) return false;
    const value = fastDecimal(this.m, this.places);
    if (Number.isNaN(value)) return false;
    this.value = value;
    this.i++;
    return true;
  }

  /** Reads `[["p","q"],…]` into `out` as ParsedLevels: exactly two decimal strings per level. */
  private levels(out: number[]): boolean {
    const b = this.b;
    if ((b[this.i] as number) !== OPEN_BRACKET) return false;
    this.i++;
    if ((b[this.i] as number) === CLOSE_BRACKET) {
      this.i++;
      return true;
    }
    for (;;) {
      if ((b[this.i] as number) !== OPEN_BRACKET) return false;
      this.i++;
      if (!this.decimal() || (b[this.i] as number) !== COMMA) return false;
      const price = this.value;
      const pricePlaces = this.places;
      this.i++;
      if (!this.decimal() || (b[this.i] as number) !== CLOSE_BRACKET) return false;
      out.push(price, this.value, packPlaces(pricePlaces, this.places));
      const c = b[++this.i] as number;
      this.i++;
      if (c === CLOSE_BRACKET) return true;
      if (c !== COMMA) return false;
    }
  }
}
