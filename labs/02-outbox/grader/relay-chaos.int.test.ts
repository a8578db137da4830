import { relayChaosSuite } from './suites.ts';

relayChaosSuite({ lab: '02-outbox', relayEntry: 'relay/index.ts' });
