/** What the benchmark ran on, for the results table. */
import { cpus, freemem, loadavg, release, totalmem, type } from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  /** 1-minute load average when the run started (other processes share the cores). */
  readonly loadAverage: number;
  readonly freeMemoryGiB: number;
}

/** Returns a description of this machine. */
export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown CPU',
    cores: list.length,
    memoryGiB: totalmem() / 2 ** 30,
    os: `${type()} ${release()}`,
    node: process.version,
    loadAverage: loadavg()[0] ?? Number.NaN,
    freeMemoryGiB: freemem() / 2 ** 30,
  };
}
