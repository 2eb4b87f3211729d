/**
 * Counting what a line-oriented reader did with each line, and deciding when an input is garbage rather
 * than a good file with a few bad lines. Shared by the recording reader and the tardis CSV reader so both
 * report the same way.
 */
import { ParseError } from '../errors.js';

/** One malformed line, for messages: `source:line: reason`. */
export interface MalformedLine {
  readonly source: string;
  /** 1-based line number within `source`. */
  readonly line: number;
  readonly reason: string;
}

/** Counts a reader exposes after (or during) iteration. */
export interface InputStats {
  /** Files opened so far. */
  files: number;
  /** Non-blank lines read (headers included). */
  lines: number;
  /** Events yielded. */
  events: number;
  /** Lines skipped because they could not be parsed. */
  malformed: number;
  /** Well-formed lines deliberately not turned into events (e.g. `bookTicker`, subscription replies). */
  skippedKnown: number;
  /** Well-formed lines of a kind this version does not know (newer writer); skipped. */
  skippedUnknown: number;
  /** The first few malformed lines (at most `MALFORMED_EXAMPLES`). */
  readonly malformedExamples: MalformedLine[];
}

/** How many malformed lines are kept as examples. */
export const MALFORMED_EXAMPLES = 5;
/** The garbage verdict looks at this many leading non-blank lines of each file. */
export const JUDGED_LINES = 1000;

/** Returns zeroed stats. */
export function createInputStats(): InputStats {
  return {
    files: 0,
    lines: 0,
    events: 0,
    malformed: 0,
    skippedKnown: 0,
    skippedUnknown: 0,
    malformedExamples: [],
  };
}

/** Returns the examples as `file:line: reason; …` for messages. */
export function formatMalformedExamples(examples: readonly MalformedLine[]): string {
  return examples.map((m) => `${m.source}:${m.line}: ${m.reason}`).join('; ');
}

/**
 * Per-file accounting. A file fails with a ParseError when more than half of its first `JUDGED_LINES`
 * non-blank lines (or of all its lines, if it is shorter) are malformed: at that point it is not the
 * expected format with a few damaged lines but something else. Until the verdict is in, the caller holds
 * back the file's events, so a garbage file yields nothing.
 */
export class FileLineAccounting {
  private fileLines = 0;
  private fileMalformed = 0;
  private judged = false;

  constructor(
    private readonly stats: InputStats,
    private readonly source: string,
    /** What the file should have been, for the message: "an obi recording". */
    private readonly expected: string,
  ) {
    stats.files += 1;
  }

  /** True once the leading window was judged and passed: events can flow without holding back. */
  get passed(): boolean {
    return this.judged;
  }

  /** Counts a well-formed line. */
  good(): void {
    this.stats.lines += 1;
    this.fileLines += 1;
    this.judgeIfFull();
  }

  /** Counts a malformed line (1-based `line`). */
  bad(line: number, reason: string): void {
    this.stats.lines += 1;
    this.stats.malformed += 1;
    this.fileLines += 1;
    this.fileMalformed += 1;
    if (this.stats.malformedExamples.length < MALFORMED_EXAMPLES) {
      this.stats.malformedExamples.push({ source: this.source, line, reason });
    }
    this.judgeIfFull();
  }

  /** Judges a file shorter than the window at its end; throws when it is mostly garbage. */
  end(): void {
    if (!this.judged) this.judge();
  }

  private judgeIfFull(): void {
    if (!this.judged && this.fileLines >= JUDGED_LINES) this.judge();
  }

  private judge(): void {
    this.judged = true;
    if (this.fileMalformed * 2 <= this.fileLines) return;
    const examples = this.stats.malformedExamples.filter((m) => m.source === this.source);
    throw new ParseError(
      `${this.source}: not ${this.expected}: ${this.fileMalformed} of the first ${this.fileLines} lines are ` +
        `malformed (${formatMalformedExamples(examples)})`,
      this.source,
      examples[0]?.line,
    );
  }
}
