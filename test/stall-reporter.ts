/**
 * A vitest reporter that names what is still running when a test file takes far longer than any should.
 * One CI rehearsal hung with a worker at 100% CPU and the default reporter (which prints a file only when
 * it ends) could not say which file: this one prints the file and its last started test every few
 * minutes while it runs past the threshold. It prints nothing on a healthy run.
 */
import type { Reporter, TestCase, TestModule } from 'vitest/node';

/** A file running longer than this is reported (the slowest healthy file takes about a minute). */
const STALL_MS = Number(process.env['OBI_STALL_REPORT_MS'] ?? 4 * 60_000);
const CHECK_EVERY_MS = 30_000;

interface Running {
  readonly startedAt: number;
  lastTest: string;
  reportedAt: number;
}

export default class StallReporter implements Reporter {
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | null = null;

  onTestRunStart(): void {
    this.timer = setInterval(() => this.check(), Math.min(CHECK_EVERY_MS, STALL_MS));
    this.timer.unref();
  }

  onTestModuleStart(module: TestModule): void {
    this.running.set(module.moduleId, {
      startedAt: Date.now(),
      lastTest: '(no test started yet)',
      reportedAt: 0,
    });
  }

  onTestCaseReady(test: TestCase): void {
    const entry = this.running.get(test.module.moduleId);
    if (entry !== undefined) entry.lastTest = test.fullName;
  }

  onTestModuleEnd(module: TestModule): void {
    this.running.delete(module.moduleId);
  }

  onTestRunEnd(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private check(): void {
    const now = Date.now();
    for (const [file, entry] of this.running) {
      if (now - entry.startedAt < STALL_MS || now - entry.reportedAt < STALL_MS) continue;
      entry.reportedAt = now;
      const seconds = Math.round((now - entry.startedAt) / 1000);
      // The worker sends test events in batches: a worker stuck in a loop may not have sent the last one.
      process.stderr.write(
        `\n[stall] ${file} has run for ${seconds} s; last test reported: ${entry.lastTest}\n`,
      );
    }
  }
}
