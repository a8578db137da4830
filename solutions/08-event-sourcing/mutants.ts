import { defineMutants } from '#shared/harness/mutants.ts';

/** The naive reader: by global position alone. The grader runs it on purpose, to show the trap is real. */
export const NAIVE_READER = 'naive-position-reader';

export default defineMutants([
  {
    id: 'append-without-version-check',
    note: 'appends without checking the stream’s version, so of two writers that read the same version both write, and the second one’s event collides with the first one’s',
    file: 'order-service/db/event-store.ts',
    replace: [{ from: "'UPDATE streams SET version = $3 WHERE stream_id = $1 AND version = $2'", to: "'UPDATE streams SET version = $3 WHERE stream_id = $1 AND $2::int IS NOT NULL'" }],
  },
  {
    id: NAIVE_READER,
    note: 'reads the store by global position alone, so an event whose transaction commits after a later position was read is skipped for good',
    file: 'order-service/db/store-reader.ts',
    replace: [
      {
        from: `      WHERE (tx_id, position) > ($1::xid8, $2::bigint)
        AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY tx_id, position
      LIMIT $3\`,
    [after.txId, after.position, limit],`,
        to: `      WHERE position > $1::bigint
      ORDER BY position
      LIMIT $2\`,
    [after.position, limit],`,
      },
    ],
  },
  {
    id: 'evolve-mutates-state',
    note: 'evolve pushes the added line into the state it was given instead of building a new one, so a state someone else holds changes under them',
    file: 'order-service/domain/order.ts',
    replace: [
      {
        from: '      return { ...state, lines: [...state.lines, event.data.line] };',
        to: '      (state.lines as Array<typeof event.data.line>).push(event.data.line);\n      return state;',
      },
    ],
  },
  {
    id: 'checkpoint-before-confirm',
    note: 'moves the publisher’s checkpoint before RabbitMQ confirmed the batch, so a crash in between skips those events for good',
    file: 'order-service/publisher/publish.ts',
    replace: [
      {
        from: '  await broker.publishMany(EXCHANGE, events.map(toMessage));\n  await saveCheckpoint(pool, PUBLISHER, checkpointOf(events, checkpoint));',
        to: '  await saveCheckpoint(pool, PUBLISHER, checkpointOf(events, checkpoint));\n  await broker.publishMany(EXCHANGE, events.map(toMessage));',
      },
    ],
  },
  {
    id: 'no-retry-on-conflict',
    note: 'gives up at the first version conflict instead of loading and deciding again, so a busy order refuses commands it could have taken',
    file: 'order-service/app/handle-command.ts',
    replace: [{ from: '  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {', to: '  for (let attempt = 1; attempt <= 1; attempt++) {' }],
  },
]);
