import { outboxSuite } from './suites.ts';

outboxSuite({ lab: '02-outbox', relayEntry: 'relay/index.ts' });
