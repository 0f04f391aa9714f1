import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { deleteExpiredKey, deleteInFlightKey, deleteKeysCreatedBefore, findKey, insertKeyIfAbsent, takeOverStaleKey, touchInFlightKey } from '../db/idempotency.repo.js';
import { DomainError } from '../errors.js';
import { msg } from '../messages.js';

/**
 * A claim whose holder has not touched it for this long is taken to have
 * died: a crash leaves its key in flight. Live holders touch their claims
 * every HEARTBEAT_MS, so a client retrying after a crash waits seconds, not
 * minutes, while a slow request keeps its key. Should a stalled holder lose
 * its claim all the same, completeKey lets only one of the two commit.
 */
const STALE_SECONDS = 15;
const HEARTBEAT_MS = 3_000;
const heartbeats = new Map<string, NodeJS.Timeout>();
/** How long a key replays its reply; after that it is claimed afresh, and the periodic jobs drop it. */
export const KEY_TTL_MS = 24 * 3_600_000;

function keepClaimAlive(db: Kysely<Database>, key: string) {
  clearInterval(heartbeats.get(key));
  const timer = setInterval(() => {
    // Stops by itself once the key is done or gone.
    touchInFlightKey(db, key).then((held) => {
      if (!held) stopHeartbeat(key, timer);
    }, () => {});
  }, HEARTBEAT_MS);
  timer.unref();
  heartbeats.set(key, timer);
}

function stopHeartbeat(key: string, timer = heartbeats.get(key)) {
  clearInterval(timer);
  if (heartbeats.get(key) === timer) heartbeats.delete(key);
}

export type Claim =
  | { kind: 'claimed'; key: string }
  | { kind: 'replay'; status: number; body: unknown };

/**
 * Claims an Idempotency-Key for a request. The same key with the same payload
 * replays the stored response; with another payload it is 422; while the
 * first request is still running it is 409. Keys are scoped by the sending
 * client (device, address or API key) when one is known: the same key from
 * another client is another key, so it never reaches the first one's reply.
 * A key older than 24 hours is expired and claimed afresh.
 */
export async function claimIdempotencyKey(
  db: Kysely<Database>, scope: string, clientKey: string, requestHash: string, client?: string, now = new Date(),
): Promise<Claim> {
  if (!/^[\x21-\x7e]{8,128}$/.test(clientKey)) {
    throw new DomainError('validation_failed', msg('error.idempotency_key'), { 'Idempotency-Key': msg('error.idempotency_key.field') });
  }
  const key = client ? `${scope}:${client}:${clientKey}` : `${scope}:${clientKey}`;
  if (await insertKeyIfAbsent(db, { key, scope, request_hash: requestHash })) {
    keepClaimAlive(db, key);
    return { kind: 'claimed', key };
  }
  const existing = await findKey(db, key);
  if (!existing) return claimIdempotencyKey(db, scope, clientKey, requestHash, client, now);
  const expiredBefore = new Date(now.getTime() - KEY_TTL_MS);
  if (existing.created_at < expiredBefore) {
    await deleteExpiredKey(db, key, expiredBefore);
    return claimIdempotencyKey(db, scope, clientKey, requestHash, client, now);
  }
  if (existing.request_hash !== requestHash) {
    throw new DomainError('idempotency_key_reused', msg('error.idempotency_key_reused'));
  }
  if (existing.state === 'done') {
    return { kind: 'replay', status: existing.response_status ?? 200, body: JSON.parse(existing.response_body ?? 'null') };
  }
  if (await takeOverStaleKey(db, key, requestHash, STALE_SECONDS)) {
    keepClaimAlive(db, key);
    return { kind: 'claimed', key };
  }
  throw new DomainError('request_in_progress', msg('error.request_in_progress'));
}

/** Frees a key whose request failed, so the client can retry with it. */
export async function releaseIdempotencyKey(db: Kysely<Database>, claim: Claim | undefined): Promise<void> {
  if (claim?.kind !== 'claimed') return;
  stopHeartbeat(claim.key);
  await deleteInFlightKey(db, claim.key);
}

/** Drops keys older than 24 hours; run by the periodic jobs. */
export async function pruneIdempotencyKeys(db: Kysely<Database>, now = new Date()): Promise<number> {
  return deleteKeysCreatedBefore(db, new Date(now.getTime() - KEY_TTL_MS));
}
