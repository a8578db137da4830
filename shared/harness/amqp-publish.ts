/**
 * A `basic.publish` as the AMQP frame proxy sees it go by: a method frame, a content header frame and body
 * frames, all on one channel. The proxy collects them whole before it forwards them, so that it can decide
 * what to do with a message knowing its body.
 */

/** A message a client published, as it crossed the proxy. */
export interface SeenPublish {
  channel: number;
  /** Its number on the channel, counted from the channel's `confirm.select`: RabbitMQ's confirm names it so. */
  deliveryTag: number;
  exchange: string;
  routingKey: string;
  body: Buffer;
}

const METHOD = 1;
const HEADER = 2;
const BODY = 3;
/** Type (1 byte), channel (2), payload size (4); the payload follows, then the end marker 0xCE. */
const FRAME_HEAD = 7;

/** The frames of one publish, collected until its body is complete. */
export class PublishInProgress {
  readonly frames: Buffer[] = [];
  readonly channel: number;
  private size: number | undefined;
  private received = 0;

  constructor(
    method: Buffer,
    readonly deliveryTag: number,
  ) {
    this.channel = method.readUInt16BE(1);
    this.frames.push(method);
  }

  /** Takes the next client frame (any channel: they are forwarded in order); true once the body is whole. */
  add(frame: Buffer): boolean {
    this.frames.push(frame);
    if (frame.readUInt16BE(1) === this.channel) {
      // The header's payload: class (2), weight (2), then the body's size (8).
      if (frame[0] === HEADER) this.size = Number(frame.readBigUInt64BE(FRAME_HEAD + 4));
      else if (frame[0] === BODY) this.received += frame.length - FRAME_HEAD - 1;
    }
    return this.complete();
  }

  complete(): boolean {
    return this.size !== undefined && this.received >= this.size;
  }

  seen(): SeenPublish {
    const { exchange, routingKey } = addressOf(this.frames[0]!);
    const body = Buffer.concat(
      this.frames.filter((f) => f[0] === BODY && f.readUInt16BE(1) === this.channel).map((f) => f.subarray(FRAME_HEAD, f.length - 1)),
    );
    return { channel: this.channel, deliveryTag: this.deliveryTag, exchange, routingKey, body };
  }

  /** Sends the message to another address instead: the method frame is rebuilt, header and body stay. */
  readdress(exchange: string, routingKey: string): void {
    const method = this.frames[0]!;
    const { end } = addressOf(method);
    // Class (2), method (2) and the reserved short (2) stay; then the two short strings; then the flags.
    const payload = Buffer.concat([method.subarray(FRAME_HEAD, FRAME_HEAD + 6), shortString(exchange), shortString(routingKey), method.subarray(end, method.length - 1)]);
    const head = Buffer.alloc(FRAME_HEAD);
    head[0] = METHOD;
    head.writeUInt16BE(this.channel, 1);
    head.writeUInt32BE(payload.length, 3);
    this.frames[0] = Buffer.concat([head, payload, Buffer.from([0xce])]);
  }
}

/** The exchange and routing key of a `basic.publish` method frame, and where the flags after them start. */
function addressOf(method: Buffer): { exchange: string; routingKey: string; end: number } {
  let at = FRAME_HEAD + 6;
  const exchange = method.toString('utf8', at + 1, at + 1 + method[at]!);
  at += 1 + method[at]!;
  const routingKey = method.toString('utf8', at + 1, at + 1 + method[at]!);
  at += 1 + method[at]!;
  return { exchange, routingKey, end: at };
}

function shortString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}
