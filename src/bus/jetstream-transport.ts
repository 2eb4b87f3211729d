/** PublishTransport over JetStream: `Nats-Msg-Id` for de-duplication, a PubAck per message. */
import type { JetStreamClient } from '@nats-io/jetstream';
import type { PublishAck, PublishTransport } from './bus-publisher.js';
import type { OutboxMessage } from './outbox.js';

export class JetStreamTransport implements PublishTransport {
  constructor(
    private readonly js: JetStreamClient,
    /** Acks from another stream (a subject overlap) are refused rather than trusted. */
    private readonly stream: string,
    private readonly ackTimeoutMs: number,
  ) {}

  async publish(message: OutboxMessage): Promise<PublishAck> {
    const ack = await this.js.publish(message.subject, message.data, {
      msgID: message.id,
      timeout: this.ackTimeoutMs,
      expect: { streamName: this.stream },
    });
    return { duplicate: ack.duplicate };
  }
}
