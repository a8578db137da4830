import { defineMutants } from '#shared/harness/mutants.ts';

export default defineMutants([
  {
    id: 'ack-before-confirm',
    note: 'acknowledges a commit’s LSN as soon as the commit arrives, so messages lost on a dying connection are never resent',
    file: 'wal-relay/wal-relay.ts',
    replace: [
      {
        from: 'const transaction = { lsn: message.commitLsn!, confirmed: false };',
        to: 'const transaction = { lsn: message.commitLsn!, confirmed: true };\n      this.io.acknowledge(message.commitLsn!);',
      },
    ],
  },
  {
    id: 'no-resubscribe',
    note: 'logs a failed publish and carries on streaming, so the failed message is never resent and the slot stops advancing',
    file: 'wal-relay/wal-relay.ts',
    replace: [{ from: '(error: Error) => this.io.fail(error),', to: '(error: Error) => console.error(`publish failed: ${error.message}`),' }],
  },
  {
    id: 'publish-without-waiting',
    note: 'publishes every outbox insert at once, even while an earlier message of its order is unconfirmed: when that one fails, the later one is already delivered before the resend',
    file: 'wal-relay/wal-relay.ts',
    replace: [{ from: 'const confirmed = before ? before.then(() => this.io.publish(toMessage(row))) : this.io.publish(toMessage(row));', to: 'const confirmed = this.io.publish(toMessage(row));' }],
  },
  {
    id: 'next-after-failure',
    note: 'publishes an order’s next message once the one before it is settled, confirmed or not: after a failed publish the next one goes out ahead of the resend',
    file: 'wal-relay/wal-relay.ts',
    replace: [{ from: 'before.then(() => this.io.publish(toMessage(row)))', to: 'before.catch(() => {}).then(() => this.io.publish(toMessage(row)))' }],
  },
  {
    id: 'ack-past-failure',
    note: 'counts a transaction whose publish failed as done so the queue moves on: the slot is acknowledged past a message RabbitMQ never took, and it is never resent',
    file: 'wal-relay/wal-relay.ts',
    replace: [
      {
        from: '(error: Error) => this.io.fail(error),',
        to: '() => {\n          transaction.confirmed = true;\n          this.acknowledgeConfirmed();\n        },',
      },
    ],
  },
  {
    id: 'ack-newest-confirmed',
    note: 'acknowledges the newest transaction whose messages are confirmed, not the newest of the confirmed head of the queue: when a later transaction is confirmed first (another order’s message, while a cancel waits behind its order’s OrderCreated), the slot passes a message RabbitMQ has not confirmed',
    file: 'wal-relay/wal-relay.ts',
    replace: [
      {
        from: 'while (this.pending[0]?.confirmed) newest = this.pending.shift()!.lsn;',
        to: 'for (const t of this.pending.filter((t) => t.confirmed)) newest = t.lsn;\n    this.pending.splice(0, this.pending.length, ...this.pending.filter((t) => !t.confirmed));',
      },
    ],
  },
  {
    id: 'ack-all-received',
    note: 'once the oldest transaction is confirmed, acknowledges every transaction received so far: the slot passes messages still waiting for their confirm, or not even published yet',
    file: 'wal-relay/wal-relay.ts',
    replace: [
      {
        from: 'while (this.pending[0]?.confirmed) newest = this.pending.shift()!.lsn;',
        to: 'if (this.pending[0]?.confirmed) newest = this.pending.splice(0).at(-1)!.lsn;',
      },
    ],
  },
]);
