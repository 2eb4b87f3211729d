/** The progress line of a live run: rewritten in place on a TTY, a plain log line every few seconds otherwise. */

const LOG_EVERY_MS = 10_000;

export interface ProgressSnapshot {
  readonly elapsedMs: number;
  readonly rows: number;
  readonly missing: number;
  readonly errors: number;
  readonly lastLatencyMs: number | null;
  readonly usedWeight1m: number | null;
  readonly note?: string;
}

export function formatProgress(p: ProgressSnapshot): string {
  const secs = Math.floor(p.elapsedMs / 1000);
  const clock = `${String(Math.floor(secs / 60)).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')}`;
  const lat = p.lastLatencyMs === null ? '-' : `${Math.round(p.lastLatencyMs)} ms`;
  const w = p.usedWeight1m === null ? '-' : String(p.usedWeight1m);
  return (
    `${clock} rows=${p.rows} missing=${p.missing} errors=${p.errors} latency=${lat} weight/1m=${w}` +
    (p.note !== undefined && p.note !== '' ? ` ${p.note}` : '')
  );
}

export class ProgressReporter {
  private lastLogMs = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly enabled: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  update(p: ProgressSnapshot): void {
    if (!this.enabled) return;
    if (this.out.isTTY === true) {
      this.out.write(`\r\x1b[2K${formatProgress(p)}`);
      this.drawn = true;
    } else if (this.now() - this.lastLogMs >= LOG_EVERY_MS) {
      this.lastLogMs = this.now();
      this.out.write(`${formatProgress(p)}\n`);
    }
  }

  /** Ends the in-place line so later output starts on a fresh line. */
  done(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
