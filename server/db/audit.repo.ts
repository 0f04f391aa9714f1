import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface AuditEntry {
  actorId: number | null;
  action: string;
  entity: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  ip?: string | null;
}

export async function insertAudit(db: Db, e: AuditEntry) {
  await db.insertInto('audit_log').values({
    actor_id: e.actorId, action: e.action, entity: e.entity, entity_id: e.entityId,
    before: e.before === undefined ? null : JSON.stringify(e.before),
    after: e.after === undefined ? null : JSON.stringify(e.after),
    reason: e.reason ?? null, ip: e.ip ?? null,
  }).execute();
}

export async function listAudit(db: Db, entity: string, entityId: string) {
  return db.selectFrom('audit_log as a').leftJoin('staff_users as s', 's.id', 'a.actor_id')
    .select(['a.id', 'a.action', 'a.before', 'a.after', 'a.reason', 'a.created_at', 's.username', 's.display_name'])
    .where('a.entity', '=', entity).where('a.entity_id', '=', entityId).orderBy('a.id').execute();
}
