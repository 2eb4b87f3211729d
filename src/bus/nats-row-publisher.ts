/**
 * A RowSink that publishes each feature row to the bus (`obi.<exchange>.<market>.<symbol>.rows`), next to
 * the CSV: `obi collect --publish nats://…`. `write` resolves once the row is queued or on disk in the
 * outbox; `flush` once the bus acknowledged it (or it is in the outbox).
 */
import { checkColumns, type Row, type RowSink } from '../io/sinks/row-sink.js';
import type { BusPublishing } from './bus-publishing.js';

export class NatsRowPublisher implements RowSink {
  readonly columns: readonly string[];
  private rows = 0;
  private closed = false;

  /**
   * Returns a sink publishing through `bus`. With `ownsBus`, `close()` also closes the bus (waiting for
   * the outbox to drain); otherwise it only flushes and the caller closes the bus.
   */
  constructor(
    private readonly bus: BusPublishing,
    columns: readonly string[],
    private readonly ownsBus = false,
  ) {
    checkColumns(columns);
    this.columns = [...columns];
  }

  /** Rows handed to the bus so far. */
  get rowsWritten(): number {
    return this.rows;
  }

  async write(row: Row): Promise<void> {
    await this.bus.publishRow(row, this.columns);
    this.rows++;
  }

  flush(): Promise<void> {
    return this.bus.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsBus) await this.bus.close();
    else await this.bus.flush();
  }
}
