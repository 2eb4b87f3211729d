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
  // The receive time, in JSON's grammar (no sign, no leading zero, no exponent), valued as Number does.
  const t = scanner.number(text, PREFIX.length);
  if (Number.isNaN(t)) return null;
  const i = scanner.end;
  if (!text.startsWith(MIDDLE, i)) return null;
  const diff = scanner.scan(text, i + MIDDLE.length, venue, t);
  if (diff === null) return null;
  const end = scanner.end;
  return end === text.length - 1 && text.charCodeAt(end) === CLOSE_BRACE ? diff : null;
}
