/**
 * One connection to NATS with JetStream, and the obi stream on it. The client reconnects forever after an
 * outage (the publisher buffers meanwhile, consumers resume); only the first connection must succeed, so a
 * wrong URL fails at once instead of buffering to disk for hours.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { ConfigError, NetworkError } from '../errors.js';
import type { BusStreamSettings, BusTarget } from './bus-url.js';

const NS_PER_MS = 1_000_000;
/** JetStream API error "subjects overlap with an existing stream". */
const STREAM_SUBJECT_OVERLAP = 10065;

/** Connection options that are not in the URL. */
export interface BusConnectionOptions {
  /** Shown by the server (`nats server report connections`), e.g. `obi collect`. */
  readonly clientName: string;
  /**
   * Time to wait between reconnection attempts after an outage, in ms.
   * @default 500
   */
  readonly reconnectWaitMs?: number;
  /**
   * Timeout of the first connection and of JetStream API calls, in ms.
   * @default 5000
   */
  readonly timeoutMs?: number;
}

/** Returns the StreamConfig for obi's settings (NATS durations are nanoseconds). */
export function streamConfig(s: BusStreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: s.name,
    subjects: [...s.subjects],
    retention: s.retention as StreamConfig['retention'],
    storage: s.storage as StreamConfig['storage'],
    num_replicas: s.replicas,
    max_age: s.maxAgeMs * NS_PER_MS,
    max_bytes: s.maxBytes > 0 ? s.maxBytes : -1,
    duplicate_window: s.duplicateWindowMs * NS_PER_MS,
  };
}

/** Returns [major, minor, patch] of a version string like `2.9.10`. */
export function parseServerVersion(version: string): [number, number, number] {
  const [a, b, c] = version.split('.').map((x) => Number.parseInt(x, 10));
  return [a ?? 0, b ?? 0, c ?? 0];
}

export class BusConnection {
  private closing: Promise<void> | null = null;

  private constructor(
    readonly target: BusTarget,
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
  ) {}

  /**
   * Connects and checks that JetStream is enabled. Throws NetworkError when no server answers, ConfigError
   * when the server runs without JetStream.
   */
  static async open(target: BusTarget, options: BusConnectionOptions): Promise<BusConnection> {
    const timeout = options.timeoutMs ?? 5_000;
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: [...target.servers],
        name: options.clientName,
        ...(target.user !== undefined ? { user: target.user } : {}),
        ...(target.pass !== undefined ? { pass: target.pass } : {}),
        timeout,
        maxReconnectAttempts: -1,
        reconnectTimeWait: options.reconnectWaitMs ?? 500,
        waitOnFirstConnect: false,
      });
    } catch (error) {
      throw new NetworkError(
        `cannot reach NATS at ${target.display}: ${(error as Error).message}`,
        target.display,
        { cause: error },
      );
    }
    try {
      const jsm = await jetstreamManager(nc, { timeout });
      return new BusConnection(target, nc, jetstream(nc, { timeout }), jsm);
    } catch (error) {
      await nc.close();
      throw new ConfigError(
        `NATS at ${target.display} has no JetStream (start nats-server with -js): ${(error as Error).message}`,
        'bus',
      );
    }
  }

  /** The server's version, e.g. `2.9.10`. */
  get serverVersion(): string {
    return this.nc.info?.version ?? '0.0.0';
  }

  /** True when the server takes several subject filters per consumer (`filter_subjects`, NATS 2.10). */
  get supportsMultipleFilters(): boolean {
    const [major, minor] = parseServerVersion(this.serverVersion);
    return major > 2 || (major === 2 && minor >= 10);
  }

  /**
   * Returns the stream's info, creating the stream with the URL's settings when it does not exist. An
   * existing stream is used as it is (its retention and replicas were chosen when it was created).
   */
  async ensureStream(): Promise<StreamInfo> {
    const settings = this.target.stream;
    try {
      return await this.jsm.streams.info(settings.name);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound))
        throw this.apiError('look up stream', error);
    }
    try {
      return await this.jsm.streams.add(streamConfig(settings));
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === STREAM_SUBJECT_OVERLAP) {
        throw new ConfigError(
          `NATS ${this.target.display}: another stream already takes ${settings.subjects.join(', ')}; ` +
            'name it with ?stream=…, or give this one its own subjects with ?prefix=…',
          'stream',
        );
      }
      // Another collector created it between our look-up and our add.
      try {
        return await this.jsm.streams.info(settings.name);
      } catch {
        throw this.apiError('create stream', error);
      }
    }
  }

  private apiError(what: string, error: unknown): NetworkError {
    return new NetworkError(
      `NATS ${this.target.display}: cannot ${what} ${this.target.stream.name}: ${(error as Error).message}`,
      this.target.display,
      { cause: error },
    );
  }

  /**
   * Sends what the client still holds (acks, naks) when the server answers within `flushTimeoutMs`, then
   * closes. Not `drain()`: that would wait for open pull requests to expire. Idempotent.
   */
  close(flushTimeoutMs = 2_000): Promise<void> {
    this.closing ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          this.nc.flush(),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, flushTimeoutMs);
          }),
        ]);
      } catch {
        // Closed or disconnected: nothing more can be sent anyway.
      } finally {
        clearTimeout(timer);
      }
      await this.nc.close();
    })();
    return this.closing;
  }
}
