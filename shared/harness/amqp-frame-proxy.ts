import net from 'node:net';
import { AnswerHold, type AnswerHoldRule, type HeldAnswers } from './amqp-answer-hold.ts';
import { PublishInProgress, type SeenPublish } from './amqp-publish.ts';
import type { Endpoint } from './fault-proxy.ts';

export type { AnswerHoldRule, HeldAnswers, SeenPublish };

/** An AMQP 0-9-1 method by its class and method id (the numbers in the protocol's spec). */
export interface AmqpMethod {
  name: string;
  classId: number;
  methodId: number;
}

export const AMQP_METHODS = {
  channelOpen: { name: 'channel.open', classId: 20, methodId: 10 },
  channelClose: { name: 'channel.close', classId: 20, methodId: 40 },
  exchangeDeclare: { name: 'exchange.declare', classId: 40, methodId: 10 },
  queueDeclare: { name: 'queue.declare', classId: 50, methodId: 10 },
  basicPublish: { name: 'basic.publish', classId: 60, methodId: 40 },
  confirmSelect: { name: 'confirm.select', classId: 85, methodId: 10 },
} satisfies Record<string, AmqpMethod>;

export interface AmqpFrameProxy {
  /** Point the client here instead of at RabbitMQ. */
  readonly port: number;
  /**
   * The next time a client sends `method` on a channel other than 0, its connection is destroyed before the
   * frame goes on: RabbitMQ never sees it and the client never gets an answer. Resolves when that happened.
   */
  cutWhenClientSends(method: AmqpMethod): Promise<void>;
  /**
   * Fails one publish at a named message, the way RabbitMQ fails it when no queue is bound for it: the first
   * publish that `fault.fail` matches goes on to RabbitMQ addressed to a queue that does not exist, so
   * RabbitMQ returns it (the client publishes `mandatory`) and confirms it, and delivers it to no one. From
   * then on, everything RabbitMQ sends on that channel (that return, and every confirm) is held back until
   * the client publishes a message `fault.release` matches, or the failed message again; then it is all
   * handed over, in order. So the client learns of the failure only after it had every chance to publish
   * what comes after: whether it did is the test. `failed` resolves when the publish was failed, `released`
   * when the answers were handed over (with the publish that released them; undefined if the connection
   * closed first). A hold of `holdAnswers` with one more step: the publish it starts at is failed.
   */
  failPublish(fault: PublishFault): { failed: Promise<SeenPublish>; released: Promise<SeenPublish | undefined> };
  /**
   * From the first publish `rule.from` matches on, holds back everything RabbitMQ sends on that publish's
   * channel (every confirm, return and reply) until `release()` or a publish `rule.until` matches; then it
   * is all handed over, in order. The message itself goes on: RabbitMQ routes and confirms it, only the client
   * does not hear of it. While a hold is on a channel, a newer one that starts there takes what comes after:
   * release them oldest first.
   */
  holdAnswers(rule: AnswerHoldRule): HeldAnswers;
  /** Hands every connected client a `connection.blocked` frame, as RabbitMQ does when a resource alarm goes off. */
  sendBlocked(reason: string): void;
  /** Hands every connected client a `connection.unblocked` frame. */
  sendUnblocked(): void;
  close(): Promise<void>;
}

export interface PublishFault {
  /** Picks the publish to fail: the first one it matches. */
  fail(publish: SeenPublish): boolean;
  /** Picks a publish that ends the hold on RabbitMQ's answers. */
  release(publish: SeenPublish): boolean;
}

/** Where a failed publish is sent instead: the default exchange, to a queue name nobody declares. */
const NO_SUCH_QUEUE = 'kit.grader-fault.no-queue-has-this-name';

/**
 * A TCP proxy to RabbitMQ that reads the AMQP frames going through it, so a test can fault a connection at an
 * exact step of the protocol (the close of the topology channel, say) instead of after a guessed delay, and
 * can play RabbitMQ's part for events that cannot be triggered safely on a shared broker (a memory alarm).
 * Only whole frames are forwarded, so a frame added by the proxy never lands inside another one.
 */
export async function startAmqpFrameProxy(target: Endpoint): Promise<AmqpFrameProxy> {
  const clients = new Set<net.Socket>();
  const sockets = new Set<net.Socket>();
  let armed: { method: AmqpMethod; fired: () => void } | undefined;
  /** Holds armed or holding, oldest first; `failing` are those whose first publish is failed. */
  let holds: AnswerHold[] = [];
  const failing = new WeakSet<AnswerHold>();
  const addHold = (hold: AnswerHold) => {
    holds = [...holds.filter((h) => h.active), hold];
    return hold;
  };

  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.host, port: target.port });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    clients.add(client);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        for (const hold of holds) hold.closed(client);
        sockets.delete(socket);
        clients.delete(client);
        client.destroy();
        upstream.destroy();
      });
    }
    // The client opens with the 8-byte protocol header ("AMQP" 0 0 9 1); frames follow.
    let header = 8;
    let publishing: PublishInProgress | undefined;
    // Per channel, the delivery tag of its last publish: RabbitMQ numbers them from the channel's confirm.select.
    const lastTag = new Map<number, number>();
    // A whole publish: it may start a hold (and be failed), or end one; then it goes on.
    const publish = (whole: PublishInProgress) => {
      const seen = whole.seen();
      const ending = holds.filter((h) => h.active && h.endsWith(client, seen));
      const starting = holds.find((h) => h.startsWith(client, seen));
      if (starting && failing.has(starting)) whole.readdress('', NO_SUCH_QUEUE);
      for (const hold of holds) hold.saw(client, seen);
      for (const frame of whole.frames) upstream.write(frame);
      for (const hold of ending) hold.release(seen);
    };
    const toServer = frames((frame) => {
      if (armed && isMethod(frame, armed.method)) {
        const { fired } = armed;
        armed = undefined;
        client.destroy();
        upstream.destroy();
        fired();
        return;
      }
      if (publishing) {
        if (publishing.add(frame)) {
          publish(publishing);
          publishing = undefined;
        }
        return;
      }
      const channel = frame.readUInt16BE(1);
      if (isMethod(frame, AMQP_METHODS.channelOpen) || isMethod(frame, AMQP_METHODS.confirmSelect)) lastTag.set(channel, 0);
      if (isMethod(frame, AMQP_METHODS.basicPublish)) {
        const tag = (lastTag.get(channel) ?? 0) + 1;
        lastTag.set(channel, tag);
        // Publishes are read whole only while a hold is armed or holding: otherwise frames just pass.
        if (holds.some((h) => h.active)) {
          publishing = new PublishInProgress(frame, tag);
          return;
        }
      }
      upstream.write(frame);
    });
    client.on('data', (chunk: Buffer) => {
      if (header > 0) {
        const protocolHeader = chunk.subarray(0, header);
        upstream.write(protocolHeader);
        header -= protocolHeader.length;
        chunk = chunk.subarray(protocolHeader.length);
      }
      toServer(chunk);
    });
    upstream.on(
      'data',
      frames((frame) => {
        // The newest hold on the channel takes it, so that releasing the holds oldest first keeps the order.
        const taken = holds.findLast((h) => h.take(client, frame));
        if (!taken) client.write(frame);
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const toEveryClient = (frame: Buffer) => {
    for (const client of clients) client.write(frame);
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    cutWhenClientSends: (method) => new Promise((fired) => (armed = { method, fired })),
    failPublish(fault) {
      // The failed message again ends the hold too: the client gave up on it and resent it.
      const hold = addHold(new AnswerHold({ from: fault.fail, until: (p, failed) => fault.release(p) || samePublish(p, failed) }));
      failing.add(hold);
      return { failed: hold.started, released: hold.released };
    },
    holdAnswers: (rule) => addHold(new AnswerHold(rule)),
    sendBlocked: (reason) => toEveryClient(connectionMethodFrame(60, Buffer.concat([Buffer.from([Buffer.byteLength(reason)]), Buffer.from(reason)]))),
    sendUnblocked: () => toEveryClient(connectionMethodFrame(61, Buffer.alloc(0))),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Splits a byte stream into whole AMQP frames: type (1 byte), channel (2), size (4), payload, end marker (0xCE). */
function frames(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 7) {
      const total = 7 + pending.readUInt32BE(3) + 1;
      if (pending.length < total) break;
      onFrame(pending.subarray(0, total));
      pending = pending.subarray(total);
    }
  };
}

function samePublish(a: SeenPublish, b: SeenPublish): boolean {
  return a.exchange === b.exchange && a.routingKey === b.routingKey && a.body.equals(b.body);
}

function isMethod(frame: Buffer, method: AmqpMethod): boolean {
  const isMethodFrame = frame[0] === 1 && frame.readUInt16BE(1) !== 0 && frame.length >= 12;
  return isMethodFrame && frame.readUInt16BE(7) === method.classId && frame.readUInt16BE(9) === method.methodId;
}

/** A method frame of the connection class (10) on channel 0. */
function connectionMethodFrame(methodId: number, args: Buffer): Buffer {
  const payload = Buffer.concat([Buffer.from([0, 10, methodId >> 8, methodId & 0xff]), args]);
  const head = Buffer.alloc(7);
  head[0] = 1;
  head.writeUInt16BE(0, 1);
  head.writeUInt32BE(payload.length, 3);
  return Buffer.concat([head, payload, Buffer.from([0xce])]);
}
