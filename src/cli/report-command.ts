/** `obi report`: the self-contained HTML report of a finished run, from its CSV and metrics JSON. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { OutputError } from '../errors.js';
import { writeReportWithResult } from '../report/write-report.js';
import { DEFAULT_CSV, DEFAULT_JSON } from './common-flags.js';
import { parsePath } from './flags.js';

interface ReportFlags {
  csv: string;
  json: string;
  out: string;
  title?: string;
  force?: boolean;
  quiet?: boolean;
}

export const DEFAULT_REPORT = 'level43_orderbook_imbalance_report.html';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write a self-contained HTML report (charts, tables) of a run from its CSV and metrics JSON')
    .option('--csv <path>', 'the run’s feature CSV (plain or .gz)', parsePath, DEFAULT_CSV)
    .option('--json <path>', 'the run’s metrics JSON (skipped when absent)', parsePath, DEFAULT_JSON)
    .option('--out <path>', 'where to write the HTML report', parsePath, DEFAULT_REPORT)
    .option('--title <text>', 'page title (default: obi report — <symbols>)')
    .option('--force', 'overwrite an existing report file')
    .option('--quiet', 'print only errors')
    .action(async (flags: ReportFlags) => {
      if (flags.force !== true && existsSync(flags.out)) {
        throw new OutputError(
          `${flags.out} already exists; pass --force to overwrite it, or choose --out`,
          flags.out,
        );
      }
      // The default metrics path is optional (a CSV alone still makes a report); one given explicitly is not.
      const json = existsSync(flags.json) || flags.json !== DEFAULT_JSON ? flags.json : undefined;
      const result = await writeReportWithResult({
        out: flags.out,
        csvPath: flags.csv,
        ...(json !== undefined ? { metricsPath: json } : {}),
        ...(flags.title !== undefined ? { title: flags.title } : {}),
        force: flags.force === true,
      });
      if (flags.quiet !== true) {
        const kb = Math.round(result.bytes / 1024);
        process.stdout.write(
          `[OK] Saved report → ${flags.out} (${result.rows} rows, ${result.symbols.join(', ') || 'no symbols'}, ${kb} kB)\n`,
        );
        if (json === undefined)
          process.stdout.write(`[WARN] no ${DEFAULT_JSON}: the report has no metrics tables\n`);
        if (result.skippedLines > 0) {
          process.stdout.write(`[WARN] skipped ${result.skippedLines} malformed line(s) of ${flags.csv}\n`);
        }
      }
    });
}
