/**
 * `nats://` URLs as obi takes them on the command line: servers, optional user:password, and the stream and
 * publishing settings as query parameters, so one flag (`--publish nats://…`, `obi consume nats://…`)
 * carries everything:
 *
 *   nats://user:pass@host1:4222,host2:4222?stream=OBI&retention=limits&replicas=3&max-age=24h
 *
 * | parameter     | meaning                                                        | default        |
 * |---------------|----------------------------------------------------------------|----------------|
 * | `stream`      | JetStream stream name (created on first use)                   | `OBI`          |
 * | `prefix`      | first subject token; the stream takes `<prefix>.>`             | `obi`          |
 * | `retention`   | `limits`, `interest` or `workqueue`                            | `limits`       |
 * | `replicas`    | stream replicas (1 … 5; > 1 needs a NATS cluster)              | `1`            |
 * | `storage`     | `file` or `memory`                                             | `file`         |
 * | `max-age`     | drop messages older than this (`0` = keep)                     | `24h`          |
 * | `max-bytes`   | stream size limit (`0` = none)                                 | `0`            |
 * | `dup-window`  | de-duplication window of message ids                           | `2m`           |
 * | `publish`     | what a collector publishes: `rows`, `events` or `rows,events`  | `rows`         |
 * | `outbox`      | directory of the on-disk outage buffer                         | per collector  |
 * | `outbox-max`  | outage buffer size limit                                       | `1GiB`         |
 * | `ack-timeout` | how long to wait for the bus to acknowledge one message        | `5s`           |
 *
 * Durations take a unit (`ms`, `s`, `m`, `h`, `d`); sizes a unit (`B`, `KB`, `MB`, `GB`, `KiB`, `MiB`,
 * `GiB`) or none (bytes). Retention and replication only apply when the stream is created; an existing
 * stream is used as it is.
 */
import { ConfigError } from '../errors.js';
import type { BusKind } from './bus-subject.js';

export type BusRetention = 'limits' | 'interest' | 'workqueue';

/** How the stream is created. */
export interface BusStreamSettings {
  readonly name: string;
  /** First token of every subject; the stream takes `<subjectRoot>.>`. */
  readonly subjectRoot: string;
  readonly subjects: readonly string[];
  readonly retention: BusRetention;
  readonly replicas: number;
  readonly storage: 'file' | 'memory';
  /** 0 = no age limit. */
  readonly maxAgeMs: number;
  /** 0 = no size limit. */
  readonly maxBytes: number;
  readonly duplicateWindowMs: number;
}

/** How a collector publishes. */
export interface BusPublishSettings {
  readonly kinds: readonly BusKind[];
  /** null = a directory derived from the stream, venue and symbols (see defaultOutboxDir). */
  readonly outboxDir: string | null;
  readonly outboxMaxBytes: number;
  readonly ackTimeoutMs: number;
}

/** A parsed `nats://` URL. */
export interface BusTarget {
  /** `host:port` of each server. */
  readonly servers: readonly string[];
  readonly user?: string;
  readonly pass?: string;
  readonly stream: BusStreamSettings;
  readonly publish: BusPublishSettings;
  /** The URL without password and query, for messages. */
  readonly display: string;
}

export const DEFAULT_STREAM_SETTINGS: BusStreamSettings = {
  name: 'OBI',
  subjectRoot: 'obi',
  subjects: ['obi.>'],
  retention: 'limits',
  replicas: 1,
  storage: 'file',
  maxAgeMs: 24 * 3_600_000,
  maxBytes: 0,
  // NATS's own default duplicate window.
  duplicateWindowMs: 120_000,
};

export const DEFAULT_PUBLISH_SETTINGS: BusPublishSettings = {
  kinds: ['rows'],
  outboxDir: null,
  outboxMaxBytes: 1024 ** 3,
  ackTimeoutMs: 5_000,
};

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 };
const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Returns milliseconds for `90s`, `5m`, `24h`, `250ms`; `0` alone is 0. Throws ConfigError otherwise. */
export function parseDurationMs(value: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (m === null || (m[2] === undefined && Number(m[1]) !== 0)) {
    throw new ConfigError(`${what} must be a duration like 500ms, 30s, 5m or 24h (got "${value}")`, what);
  }
  return Number(m[1]) * (m[2] === undefined ? 0 : (DURATION_UNITS_MS[m[2]] as number));
}

/** Returns bytes for `1GiB`, `500MB`, `1048576`. Throws ConfigError otherwise. */
export function parseBytes(value: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i.exec(value);
  const unit = SIZE_UNITS[(m?.[2] ?? 'b').toLowerCase()];
  if (m === null || unit === undefined) {
    throw new ConfigError(`${what} must be a size like 500MB or 1GiB (got "${value}")`, what);
  }
  return Math.round(Number(m[1]) * unit);
}

function parseKinds(value: string): BusKind[] {
  const kinds = [...new Set(value.split(',').map((s) => s.trim()))];
  if (kinds.length === 0 || kinds.some((k) => k !== 'rows' && k !== 'events')) {
    throw new ConfigError(`publish must be rows, events or rows,events (got "${value}")`, 'publish');
  }
  return kinds as BusKind[];
}

const KNOWN = new Set([
  'stream',
  'prefix',
  'retention',
  'replicas',
  'storage',
  'max-age',
  'max-bytes',
  'dup-window',
  'publish',
  'outbox',
  'outbox-max',
  'ack-timeout',
]);

/** Returns the servers and settings of a `nats://` URL. Throws ConfigError naming what is wrong. */
export function parseBusUrl(value: string): BusTarget {
  const m = /^(nats|tls):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/?(?:\?([^#]*))?$/.exec(value.trim());
  if (m === null) {
    throw new ConfigError(`expected a NATS URL like nats://127.0.0.1:4222 (got "${value}")`, 'bus');
  }
  const [, scheme, user, pass, hostList, query] = m as unknown as [
    string,
    string,
    string | undefined,
    string | undefined,
    string,
    string | undefined,
  ];
  const servers = hostList.split(',').map((h) => {
    const host = h.trim();
    if (!/^[A-Za-z0-9.[\]:-]+$/.test(host)) throw new ConfigError(`bad NATS server "${host}"`, 'bus');
    return /:\d+$/.test(host) ? host : `${host}:4222`;
  });
  const params = new URLSearchParams(query ?? '');
  for (const key of params.keys()) {
    if (!KNOWN.has(key)) {
      throw new ConfigError(`unknown NATS URL parameter "${key}" (known: ${[...KNOWN].join(', ')})`, 'bus');
    }
  }
  const get = (key: string): string | undefined => params.get(key) ?? undefined;
  const d = DEFAULT_STREAM_SETTINGS;
  const name = get('stream') ?? d.name;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new ConfigError(`stream name "${name}" must be letters, digits, _ or - only`, 'stream');
  }
  const subjectRoot = get('prefix') ?? d.subjectRoot;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(subjectRoot)) {
    throw new ConfigError(
      `prefix "${subjectRoot}" must be one subject token (letters, digits, _ or -)`,
      'prefix',
    );
  }
  const retention = (get('retention') ?? d.retention) as BusRetention;
  if (!['limits', 'interest', 'workqueue'].includes(retention)) {
    throw new ConfigError(
      `retention must be limits, interest or workqueue (got "${retention}")`,
      'retention',
    );
  }
  const replicas = Number(get('replicas') ?? d.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) {
    throw new ConfigError(`replicas must be 1 … 5 (got "${get('replicas')}")`, 'replicas');
  }
  const storage = get('storage') ?? d.storage;
  if (storage !== 'file' && storage !== 'memory') {
    throw new ConfigError(`storage must be file or memory (got "${storage}")`, 'storage');
  }
  const maxAge = get('max-age');
  const maxBytes = get('max-bytes');
  const dupWindow = get('dup-window');
  const outboxMax = get('outbox-max');
  const ackTimeout = get('ack-timeout');
  const duplicateWindowMs =
    dupWindow === undefined ? d.duplicateWindowMs : parseDurationMs(dupWindow, 'dup-window');
  if (!(duplicateWindowMs > 0)) throw new ConfigError('dup-window must be > 0', 'dup-window');
  const ackTimeoutMs =
    ackTimeout === undefined
      ? DEFAULT_PUBLISH_SETTINGS.ackTimeoutMs
      : parseDurationMs(ackTimeout, 'ack-timeout');
  if (!(ackTimeoutMs > 0)) throw new ConfigError('ack-timeout must be > 0', 'ack-timeout');
  const publishKinds = get('publish');
  return {
    servers,
    ...(user !== undefined && user !== '' ? { user: decodeURIComponent(user) } : {}),
    ...(pass !== undefined ? { pass: decodeURIComponent(pass) } : {}),
    stream: {
      name,
      subjectRoot,
      subjects: [`${subjectRoot}.>`],
      retention,
      replicas,
      storage,
      maxAgeMs: maxAge === undefined ? d.maxAgeMs : parseDurationMs(maxAge, 'max-age'),
      maxBytes: maxBytes === undefined ? d.maxBytes : parseBytes(maxBytes, 'max-bytes'),
      duplicateWindowMs,
    },
    publish: {
      kinds: publishKinds === undefined ? DEFAULT_PUBLISH_SETTINGS.kinds : parseKinds(publishKinds),
      outboxDir: get('outbox') ?? null,
      outboxMaxBytes:
        outboxMax === undefined
          ? DEFAULT_PUBLISH_SETTINGS.outboxMaxBytes
          : parseBytes(outboxMax, 'outbox-max'),
      ackTimeoutMs,
    },
    display: `${scheme}://${user !== undefined && user !== '' ? `${user}@` : ''}${servers.join(',')}`,
  };
}
