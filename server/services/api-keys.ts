import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { findActiveApiKeyByHash, insertApiKey, listApiKeys, updateApiKeyRevoked } from '../db/api-keys.repo.js';
import type { Database } from '../db/database.js';
import { DomainError } from '../errors.js';

const KEY_PREFIX = 'co311_';

export function hashApiKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

/**
 * Issues a key for a named client. The key is shown once, here; only its
 * sha256 is stored, so a lost key is revoked and replaced, never recovered.
 */
export async function createApiKey(db: Kysely<Database>, clientName: string) {
  const name = clientName.normalize('NFC').trim();
  if (name.length < 1 || name.length > 100) throw new DomainError(400, 'validation_failed', 'The client name must be 1–100 characters');
  const key = KEY_PREFIX + crypto.randomBytes(24).toString('base64url');
  const row = await insertApiKey(db, { client_name: name, key_hash: hashApiKey(key) });
  return { id: row.id, client_name: row.client_name, created_at: row.created_at, key };
}

export async function revokeApiKey(db: Kysely<Database>, id: number, now = new Date()): Promise<boolean> {
  return updateApiKeyRevoked(db, id, now);
}

export { listApiKeys };

export interface ApiClient {
  id: number;
  client_name: string;
}

/** The client a key belongs to; 403 when the key is missing, unknown or revoked. */
export async function authenticateApiKey(db: Kysely<Database>, key: string | undefined): Promise<ApiClient> {
  if (!key) throw new DomainError(403, 'forbidden', 'api_key is required; ask the province for a key');
  // Keys are long and random, so a hash lookup leaks nothing a timing attack could use.
  const client = await findActiveApiKeyByHash(db, hashApiKey(key));
  if (!client) throw new DomainError(403, 'forbidden', 'The api_key is not valid or has been revoked');
  return client;
}
