import { isTestNamespace } from '../platform/messaging/names.ts';

/**
 * A namespace id says when it was made: `kit_<lab>_<yyyymmdd>t<hhmmss>_<random>`, in UTC, like
 * `kit_02_20261130t100512_3f9a2c`. Its databases are `<id>_<service>` and its RabbitMQ names `<id>.<name>`,
 * so the id, and with it the age, can be read back from any of them. That is how a later run knows that a
 * leftover is old without keeping a registry of its own (see `sweepStaleNamespaces`).
 *
 * Lower case only: PostgreSQL folds database names to lower case, RabbitMQ does not, and both must agree.
 */
export function newNamespaceId(lab: string, createdAt: Date, random: string): string {
  const stamp = createdAt.toISOString().slice(0, 19).replace(/[-:]/g, '').toLowerCase();
  return `kit_${lab.replace(/\W/g, '').toLowerCase()}_${stamp}_${random}`;
}

// The lab part may itself contain underscores, so the stamp and the six hex digits anchor the match.
const ID = /^(kit_\w*?_(\d{8})t(\d{6})_[0-9a-f]{6})(?=[._]|$)/;

/**
 * The namespace a database or RabbitMQ name belongs to, and when that namespace was made; undefined for any
 * other name, including ids in an older format without a stamp (their age cannot be known, so they are never
 * swept).
 */
export function parseNamespaceName(name: string): { id: string; createdAt: Date } | undefined {
  if (!isTestNamespace(name)) return undefined;
  const match = ID.exec(name);
  if (!match) return undefined;
  const [, id, day, time] = match as unknown as [string, string, string, string];
  const createdAt = new Date(
    `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}Z`,
  );
  return Number.isNaN(createdAt.getTime()) ? undefined : { id, createdAt };
}
