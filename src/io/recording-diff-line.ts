/**
 * The fast path of a recording's commonest line, a received diff-depth message:
 * `{"t":<receive ms>,"k":"ws","d":<message>}`, exactly as RecordingWriter writes it (docs/recording-format.md).
 * Returns the diff without JSON.parse, or null when the line is anything else or not in that plain form, in
 * which case the general reader (JSON.parse, then the Binance parsers) decides what it is. It never answers
 * differently from the general reader: a property test holds the two to the same events.
 */
import type { BookDiff, Venue } from '../events.js';
import type { DepthUpdateScanner } from '../exchanges/binance/depth-update-scanner.js';
import { fastDecimal, parseDecimal } from '../core/book/price-parse.js';

const PREFIX = '{"t":';
const MIDDLE = ',"k":"ws","d":';
const CLOSE_BRACE = 125;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const DOT = 46;

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
  // The receive time, in JSON's grammar (no sign, no leading zero, no exponent), valued as Number does:
  // the digits are accumulated as they are checked (fastDecimal); anything longer goes through parseDecimal.
  let i = PREFIX.length;
  const intStart = i;
  let m = 0;
  let c = text.charCodeAt(i);
  while (c >= DIGIT_0 && c <= DIGIT_9) {
    m = m * 10 + (c - DIGIT_0);
    c = text.charCodeAt(++i);
  }
  const intDigits = i - intStart;
  if (intDigits === 0 || (intDigits > 1 && text.charCodeAt(intStart) === DIGIT_0)) return null;
  let places = 0;
  if (c === DOT) {
    const fracStart = ++i;
    c = text.charCodeAt(i);
    while (c >= DIGIT_0 && c <= DIGIT_9) {
      m = m * 10 + (c - DIGIT_0);
      c = text.charCodeAt(++i);
    }
    places = i - fracStart;
    if (places === 0) return null;
  }
  if (!text.startsWith(MIDDLE, i)) return null;
  const fast = fastDecimal(m, places);
  const t = Number.isNaN(fast) ? parseDecimal(text.slice(intStart, i)) : fast;
  const diff = scanner.scan(text, i + MIDDLE.length, venue, t);
  if (diff === null) return null;
  const end = scanner.end;
  return end === text.length - 1 && text.charCodeAt(end) === CLOSE_BRACE ? diff : null;
}
