/**
 * The fast path of a recording's commonest line, a received diff-depth message:
 * `{"t":<receive ms>,"k":"ws","d":<message>}`, exactly as RecordingWriter writes it (docs/recording-format.md).
 * Returns the diff without JSON.parse, or null when the line is anything else or not in that plain form, in
 * which case the general reader (JSON.parse, then the Binance parsers) decides what it is. It never answers
 * differently from the general reader: a property test holds the two to the same events.
 */
import type { BookDiff, Venue } from '../events.js';
import type { DepthUpdateScanner } from '../exchanges/binance/depth-update-scanner.js';

const PREFIX = '{"t":';
const MIDDLE = ',"k":"ws","d":';
const CLOSE_BRACE = 125;
const DIGIT_0 = 48;
const DOT = 46;
/** 2^53: integers below it are exact doubles. */
const TWO_POW_53 = 9007199254740992;
/** 10^0 … 10^22, each an exact double. */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

/**
 * Returns the diff on a recording line of kind `ws`, or null (see the file comment). `scanner` is reused
 * across lines; `venue` is the recording's.
 */
export function scanRecordedDiffLine(
  text: string,
  scanner: DepthUpdateScanner,
  venue: Venue,
): BookDiff | null {
  if (!text.startsWith(PREFIX)) return null;
  // The receive time: digits, optionally a fraction; JSON's grammar (no leading zero, no sign, no
  // exponent) and the value `Number` gives it, by Clinger's fast path (see core/book/price-parse.ts).
  let i = PREFIX.length;
  const intStart = i;
  let m = 0;
  let d = text.charCodeAt(i) - DIGIT_0;
  while (d >= 0 && d <= 9) {
    m = m * 10 + d;
    d = text.charCodeAt(++i) - DIGIT_0;
  }
  const intDigits = i - intStart;
  if (intDigits === 0 || (intDigits > 1 && text.charCodeAt(intStart) === DIGIT_0)) return null;
  let fracDigits = 0;
  if (text.charCodeAt(i) === DOT) {
    const fracStart = ++i;
    d = text.charCodeAt(i) - DIGIT_0;
    while (d >= 0 && d <= 9) {
      m = m * 10 + d;
      d = text.charCodeAt(++i) - DIGIT_0;
    }
    fracDigits = i - fracStart;
    if (fracDigits === 0) return null;
  }
  // Receive times carry sub-millisecond digits (17 and more in all): beyond Clinger's fast path, Number.
  const t =
    fracDigits <= 22 && m < TWO_POW_53 ? m / (POW10[fracDigits] as number) : Number(text.slice(intStart, i));
  if (!text.startsWith(MIDDLE, i)) return null;
  const diff = scanner.scan(text, i + MIDDLE.length, venue, t);
  if (diff === null) return null;
  const end = scanner.end;
  return end === text.length - 1 && text.charCodeAt(end) === CLOSE_BRACE ? diff : null;
}
