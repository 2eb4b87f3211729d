/**
 * Test helper: a private nats-server with JetStream on a free loopback port and its own store directory,
 * which a test can kill and start again (same port, same store) to play an outage. Tests skip when no
 * nats-server binary is found (`OBI_NATS_SERVER`, PATH, /usr/sbin, /usr/bin; scripts/start-services.sh
 * installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Returns the nats-server binary to use, or null when there is none. */
export function findNatsServer(): string | null {
  const candidates = [
    process.env['OBI_NATS_SERVER'],
    ...(process.env['PATH'] ?? '').split(delimiter).map((d) => join(d, 'nats-server')),
    '/usr/sbin/nats-server',
    '/usr/bin/nats-server',
    '/usr/local/bin/nats-server',
  ];
  for (const c of candidates) if (c !== undefined && c !== '' && existsSync(c)) return c;
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface NatsServerProcess {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGKILL by default: an abrupt outage) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and store. */
  start(): Promise<void>;
  /** Stops it and removes its store. */
  dispose(): Promise<void>;
}

/** Starts a private JetStream server and resolves once it accepts connections. */
export async function startNatsServer(binary: string): Promise<NatsServerProcess> {
  const port = await freePort();
  const store = await mkdtemp(join(tmpdir(), 'obi-nats-'));
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    child = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (await accepts(port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`nats-server did not start on port ${port}`);
  };
  const stop = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const c = child as ChildProcess | null;
    if (c === null || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
    child = null;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    stop,
    start,
    dispose: async () => {
      await stop();
      await rm(store, { recursive: true, force: true });
    },
  };
}
