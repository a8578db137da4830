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
]);
