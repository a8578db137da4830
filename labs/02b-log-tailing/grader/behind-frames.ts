import { startAmqpFrameProxy, type AmqpFrameProxy, type SeenPublish } from '#shared/harness/amqp-frame-proxy.ts';
import { serviceUrls } from '#shared/harness/services.ts';
import { OutboxWorld } from '../../02-outbox/grader/world.ts';

/** Lab 02b's world, and the AMQP frame proxy its relays publish through. */
export interface WorldBehindFrames {
  world: OutboxWorld;
  frames: AmqpFrameProxy;
}

/**
 * Starts lab 02's services (the solution's: only the relay is the learner's) with lab 02b's relay, which ran once
 * so that its slot exists before the first order. Relays started from then on reach RabbitMQ through lab 02's
 * fault proxy and then an AMQP frame proxy, which can fail a publish or hold RabbitMQ's answers back.
 */
export async function startWorldBehindFrames(relayEnv?: Record<string, string>): Promise<WorldBehindFrames> {
  const world = await OutboxWorld.start({
    lab: '02b-log-tailing',
    relayEntry: 'wal-relay/index.ts',
    servicesFrom: { lab: '02-outbox', tree: 'solutions' },
    ...(relayEnv ? { relayEnv } : {}),
    runRelayOnceFirst: true,
  });
  try {
    const rabbit = new URL(serviceUrls().amqpUrl);
    const frames = await startAmqpFrameProxy({ host: rabbit.hostname, port: Number(rabbit.port || 5672) });
    world.brokerProxy.setTarget({ host: '127.0.0.1', port: frames.port });
    return { world, frames };
  } catch (error) {
    await world.stop();
    throw error;
  }
}

export async function stopWorldBehindFrames(started: WorldBehindFrames | undefined): Promise<void> {
  await started?.world.stop();
  await started?.frames.close();
}

/** The event a relay published, as the frame proxy saw it go by. */
export const eventOf = <Event>(publish: SeenPublish): Event => JSON.parse(publish.body.toString('utf8')) as Event;
