import { consumerSuite } from './suites.ts';

consumerSuite({ lab: '02-outbox', relayEntry: 'relay/index.ts' });
