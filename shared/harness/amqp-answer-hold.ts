import type net from 'node:net';
import type { SeenPublish } from './amqp-publish.ts';

/** How a hold starts and ends; see `AmqpFrameProxy.holdAnswers` and `failPublish`. */
export interface AnswerHoldRule {
  /** Picks the publish from which RabbitMQ's answers on its channel are held: the first one it matches. */
  from(publish: SeenPublish): boolean;
  /** Picks a later publish of the same client, on any channel, that hands the held answers over (else: `release()`). */
  until?(publish: SeenPublish, first: SeenPublish): boolean;
}

/** What a test holds on to: when the hold started, what RabbitMQ answered meanwhile, and its end. */
export interface HeldAnswers {
  /** Resolves with the publish from which answers are held. */
  readonly started: Promise<SeenPublish>;
  /** Resolves when the held answers were handed over (with the publish that released them, if one did). */
  readonly released: Promise<SeenPublish | undefined>;
  /**
   * Resolves with the first publish on the held channel that `which` matches (the one the hold started at
   * included) once RabbitMQ's confirm of it (ack or nack) is among the held frames.
   */
  answered(which: (publish: SeenPublish) => boolean): Promise<SeenPublish>;
  /** Whether a publish `which` matches went by on the held channel since the hold started. */
  published(which: (publish: SeenPublish) => boolean): boolean;
  /** Hands every held frame to the client, in order, and holds nothing more. */
  release(): void;
}

/**
 * RabbitMQ's frames to one client on one channel (its confirms, returns and replies), held back from a named
 * publish on, until released: meanwhile the client cannot know what became of anything it published there.
 */
export class AnswerHold implements HeldAnswers {
  readonly started: Promise<SeenPublish>;
  readonly released: Promise<SeenPublish | undefined>;
  private holding: { client: net.Socket; first: SeenPublish; frames: Buffer[] } | undefined;
  private over = false;
  private onStarted!: (publish: SeenPublish) => void;
  private onReleased!: (by?: SeenPublish) => void;
  /** Delivery tags RabbitMQ answered in the held frames: all up to `answeredUpTo`, and `answeredSingly`. */
  private answeredUpTo = 0;
  private readonly answeredSingly = new Set<number>();
  /** Publishes on the held channel since the hold started. */
  private readonly publishes: SeenPublish[] = [];
  private readonly waiting: Array<{ which: (p: SeenPublish) => boolean; resolve: (p: SeenPublish) => void }> = [];

  constructor(private readonly rule: AnswerHoldRule) {
    this.started = new Promise((resolve) => (this.onStarted = resolve));
    this.released = new Promise((resolve) => (this.onReleased = resolve));
  }

  get active(): boolean {
    return !this.over;
  }

  /** Offered every whole publish before it goes on to RabbitMQ; true if the hold starts with this one. */
  startsWith(client: net.Socket, publish: SeenPublish): boolean {
    if (this.over || this.holding || !this.rule.from(publish)) return false;
    this.holding = { client, first: publish, frames: [] };
    this.onStarted(publish);
    return true;
  }

  /** Offered every whole publish once the hold decided about it: remembers those on the held channel. */
  saw(client: net.Socket, publish: SeenPublish): void {
    const h = this.holding;
    if (h?.client === client && publish.channel === h.first.channel) this.publishes.push(publish);
    this.answer();
  }

  /** Whether `publish` ends the hold (the proxy releases it once the publish went on). */
  endsWith(client: net.Socket, publish: SeenPublish): boolean {
    const h = this.holding;
    return h?.client === client && this.rule.until?.(publish, h.first) === true;
  }

  /** Takes a frame RabbitMQ sends `client` if this hold covers its channel; false if it is to go on. */
  take(client: net.Socket, frame: Buffer): boolean {
    const h = this.holding;
    if (h?.client !== client || frame.readUInt16BE(1) !== h.first.channel) return false;
    h.frames.push(frame);
    const confirm = confirmIn(frame);
    if (confirm?.multiple) this.answeredUpTo = Math.max(this.answeredUpTo, confirm.tag);
    else if (confirm) this.answeredSingly.add(confirm.tag);
    this.answer();
    return true;
  }

  published(which: (publish: SeenPublish) => boolean): boolean {
    return this.publishes.some(which);
  }

  answered(which: (publish: SeenPublish) => boolean): Promise<SeenPublish> {
    return new Promise((resolve) => {
      this.waiting.push({ which, resolve });
      this.answer();
    });
  }

  /** Resolves the waiters whose publish went by and is answered. */
  private answer(): void {
    for (const w of [...this.waiting]) {
      const publish = this.publishes.find((p) => w.which(p) && this.isAnswered(p.deliveryTag));
      if (!publish) continue;
      this.waiting.splice(this.waiting.indexOf(w), 1);
      w.resolve(publish);
    }
  }

  release(by?: SeenPublish): void {
    if (this.over) return;
    this.over = true;
    const h = this.holding;
    this.holding = undefined;
    for (const frame of h?.frames ?? []) h!.client.write(frame);
    this.onReleased(by);
  }

  /** The client's connection closed: what was held for it is gone with it. */
  closed(client: net.Socket): void {
    if (this.holding?.client !== client) return;
    this.holding.frames = [];
    this.release();
  }

  private isAnswered(tag: number): boolean {
    return tag <= this.answeredUpTo || this.answeredSingly.has(tag);
  }
}

/**
 * The delivery tag a `basic.ack` (class 60, method 80) or `basic.nack` (60, 120) answers, and whether it
 * answers every tag up to it. Its payload: class (2), method (2), delivery tag (8), then the `multiple` bit.
 */
function confirmIn(frame: Buffer): { tag: number; multiple: boolean } | undefined {
  if (frame[0] !== 1 || frame.length < 21 || frame.readUInt16BE(7) !== 60) return undefined;
  const method = frame.readUInt16BE(9);
  if (method !== 80 && method !== 120) return undefined;
  return { tag: Number(frame.readBigUInt64BE(11)), multiple: (frame[19]! & 1) === 1 };
}
