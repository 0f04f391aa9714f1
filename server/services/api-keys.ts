import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { findActiveApiKeyByHash, insertApiKey, listApiKeys, updateApiKeyRevoked } from '../db/api-keys.repo.js';
import type { Database } from '../db/database.js';
import { findUnitById } from '../db/units.repo.js';
import { DomainError, validationFailed } from '../errors.js';

const KEY_PREFIX = 'co311_';

export function hashApiKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

/**
 * Which reports a key may update: those of one unit (a document-management
 * system working for it), or only the requests filed with the key itself.
 */
export type ApiKeyScope = { unitId: number } | { own: true };

/**
 * Issues a key for a named client with its scope. The key is shown once,
 * here; only its sha256 is stored, so a lost key is revoked and replaced,
 * never recovered. Without a scope the key gets the narrower one, its own requests.
 */
export async function createApiKey(db: Kysely<Database>, clientName: string, scope: ApiKeyScope = { own: true }) {
  const name = clientName.normalize('NFC').trim();
  if (name.length < 1 || name.length > 100) throw validationFailed({ client_name: 'The client name must be 1–100 characters' });
  const unitId = 'unitId' in scope ? scope.unitId : null;
  if (unitId !== null && !(await findUnitById(db, unitId))) throw validationFailed({ unit_id: `No unit with id ${unitId}` });
  const key = KEY_PREFIX + crypto.randomBytes(24).toString('base64url');
  const row = await insertApiKey(db, { client_name: name, key_hash: hashApiKey(key), scope: unitId === null ? 'own' : 'unit', unit_id: unitId });
  return { id: row.id, client_name: row.client_name, scope: row.scope, unit_id: row.unit_id, created_at: row.created_at, key };
}

export async function revokeApiKey(db: Kysely<Database>, id: number, now = new Date()): Promise<boolean> {
  return updateApiKeyRevoked(db, id, now);
}

export { listApiKeys };

/** An authenticated Open311 client: who it is and which reports it may update. */
export interface ApiClient {
  id: number;
  client_name: string;
  scope: 'own' | 'unit';
  unit_id: number | null;
}

/** The client a key belongs to; 403 when the key is missing, unknown or revoked. */
export async function authenticateApiKey(db: Kysely<Database>, key: string | undefined): Promise<ApiClient> {
  if (!key) throw new DomainError('forbidden', 'api_key is required; ask the province for a key');
  // Keys are long and random, so a hash lookup leaks nothing a timing attack could use.
  const client = await findActiveApiKeyByHash(db, hashApiKey(key));
  if (!client) throw new DomainError('forbidden', 'The api_key is not valid or has been revoked');
  return client;
}
