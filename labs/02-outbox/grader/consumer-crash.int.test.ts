import { consumerCrashSuite } from './suites.ts';

consumerCrashSuite({ lab: '02-outbox', relayEntry: 'relay/index.ts' });
