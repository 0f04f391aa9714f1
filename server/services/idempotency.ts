import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { deleteInFlightKey, findKey, insertKeyIfAbsent, takeOverStaleKey } from '../db/idempotency.repo.js';
import { DomainError } from '../errors.js';

/** A request holding its key longer than this without finishing is taken to have died. */
const STALE_SECONDS = 300;

export type Claim =
  | { kind: 'claimed'; key: string }
  | { kind: 'replay'; status: number; body: unknown };

/**
 * Claims an Idempotency-Key for a request. The same key with the same payload
 * replays the stored response; with another payload it is 422; while the
 * first request is still running it is 409.
 */
export async function claimIdempotencyKey(db: Kysely<Database>, scope: string, clientKey: string, requestHash: string): Promise<Claim> {
  if (!/^[\x21-\x7e]{8,128}$/.test(clientKey)) {
    throw new DomainError(400, 'validation_failed', 'Invalid Idempotency-Key', {
      'Idempotency-Key': 'Must be 8–128 visible ASCII characters, e.g. a UUID',
    });
  }
  const key = `${scope}:${clientKey}`;
  if (await insertKeyIfAbsent(db, { key, scope, request_hash: requestHash })) return { kind: 'claimed', key };
  const existing = await findKey(db, key);
  if (!existing) return claimIdempotencyKey(db, scope, clientKey, requestHash);
  if (existing.request_hash !== requestHash) {
    throw new DomainError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request');
  }
  if (existing.state === 'done') {
    return { kind: 'replay', status: existing.response_status ?? 200, body: JSON.parse(existing.response_body ?? 'null') };
  }
  if (await takeOverStaleKey(db, key, requestHash, STALE_SECONDS)) return { kind: 'claimed', key };
  throw new DomainError(409, 'request_in_progress', 'The same request is still being processed; retry in a moment');
}

/** Frees a key whose request failed, so the client can retry with it. */
export async function releaseIdempotencyKey(db: Kysely<Database>, claim: Claim | undefined): Promise<void> {
  if (claim?.kind === 'claimed') await deleteInFlightKey(db, claim.key);
}
