/**
 * The optional outputs beside the CSV/JSON: the HTML report (`--report FILE.html`, written from the finished
 * CSV and metrics JSON, so it also exists after an interrupted or failed run) and the live dashboard
 * (`--dashboard [HOST:PORT]`, fed with each sample's book and each row).
 */
import { existsSync } from 'node:fs';
import type { BookSample } from '../core/book-sample.js';
import type { Trade } from '../events.js';
import { OutputError } from '../errors.js';
import { DashboardServer } from '../dashboard/dashboard-server.js';
import { tapBooks } from '../dashboard/book-tap.js';
import { writeReport } from '../report/write-report.js';
import type { RowSink } from '../io/sinks/row-sink.js';
import type { FeatureOptions } from '../options.js';
import type { OutputFlags } from './common-flags.js';

const DEFAULT_DASHBOARD_PORT = 8787;

export interface RunExtras {
  /** The dashboard's address, when one was asked for. */
  readonly dashboardUrl: string | null;
  /** Sinks to add beside the CSV (the dashboard's row feed). */
  readonly sinks: RowSink[];
  /** Wraps the sample stream so the dashboard sees each book. */
  tap<T extends BookSample | Trade>(samples: AsyncIterable<T>): AsyncIterable<T>;
  /** Writes the report (if asked) from the finished files; prints where things are. */
  finish(log: NodeJS.WriteStream): Promise<void>;
  close(): Promise<void>;
}

/** Parses `--dashboard` values: `true` (flag alone), `PORT`, or `HOST:PORT`. */
export function parseDashboardAddress(value: string | boolean): { host: string; port: number } {
  if (value === true || value === '') return { host: '127.0.0.1', port: DEFAULT_DASHBOARD_PORT };
  const text = String(value);
  const m = /^(?:(.+):)?(\d{1,5})$/.exec(text);
  if (m === null || Number(m[2]) > 65535) {
    throw new OutputError(`--dashboard expects PORT or HOST:PORT (got "${text}")`, text);
  }
  return { host: m[1] ?? '127.0.0.1', port: Number(m[2]) };
}

export async function openRunExtras(
  output: OutputFlags,
  columns: readonly string[],
  features: FeatureOptions,
): Promise<RunExtras> {
  const reportPath = output.report;
  // A resumed run rewrites its report from the whole CSV, like its metrics JSON.
  if (reportPath !== undefined && output.force !== true && output.resume !== true && existsSync(reportPath)) {
    throw new OutputError(
      `${reportPath} already exists; pass --force to overwrite it, or choose another --report path`,
      reportPath,
    );
  }
  const dashboard =
    output.dashboard === undefined || output.dashboard === false
      ? null
      : await DashboardServer.start({
          ...parseDashboardAddress(output.dashboard),
          columns,
          levels: Math.min(features.levels, 20),
          heatIntervalMs: Math.max(250, features.intervalSec * 1000),
        });
  return {
    dashboardUrl: dashboard?.url ?? null,
    sinks: dashboard === null ? [] : [dashboard.sink],
    tap: (samples) => (dashboard === null ? samples : tapBooks(samples, dashboard)),
    async finish(log) {
      if (reportPath !== undefined) {
        await writeReport({ out: reportPath, csvPath: output.csv, metricsPath: output.json, force: true });
        if (output.quiet !== true) log.write(`[OK] Saved report → ${reportPath}\n`);
      }
    },
    async close() {
      await dashboard?.close();
    },
  };
}
