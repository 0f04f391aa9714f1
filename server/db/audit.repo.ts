import type { Db } from './database.js';

export type AuditOutcome = 'success' | 'failure' | 'refused';

export interface AuditEntry {
  /** The staff member who acted; null for anonymous requests and API clients. */
  actorId: number | null;
  action: string;
  entity: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  ip?: string | null;
  /** Defaults to success: admin changes are audited once they happened. */
  outcome?: AuditOutcome;
  /** A non-staff actor, e.g. an Open311 API key. */
  client?: string | null;
}

export async function insertAudit(db: Db, e: AuditEntry) {
  await db.insertInto('audit_log').values({
    actor_id: e.actorId, action: e.action, entity: e.entity, entity_id: e.entityId,
    before: e.before === undefined ? null : JSON.stringify(e.before),
    after: e.after === undefined ? null : JSON.stringify(e.after),
    reason: e.reason ?? null, ip: e.ip ?? null,
    ...(e.outcome ? { outcome: e.outcome } : {}),
    client: e.client ?? null,
  }).execute();
}

export async function listAudit(db: Db, entity: string, entityId: string) {
  return db.selectFrom('audit_log as a').leftJoin('staff_users as s', 's.id', 'a.actor_id')
    .select(['a.id', 'a.action', 'a.before', 'a.after', 'a.reason', 'a.created_at', 's.username', 's.display_name'])
    .where('a.entity', '=', entity).where('a.entity_id', '=', entityId).orderBy('a.id').execute();
}

export interface AuditFilter {
  actorId?: number;
  /** Exact action, or every action under a prefix when it ends in ".*" (e.g. "auth.*"). */
  action?: string;
  outcome?: AuditOutcome;
  entity?: string;
  entityId?: string;
  from?: Date;
  to?: Date;
  /** Keyset cursor: rows with a smaller id than this. */
  beforeId?: string;
  limit: number;
}

/** Newest first, keyset-paginated on the primary key, so a deep page costs what the first one does. */
export async function searchAudit(db: Db, f: AuditFilter) {
  return db.selectFrom('audit_log as a').leftJoin('staff_users as s', 's.id', 'a.actor_id')
    .select([
      'a.id', 'a.created_at', 'a.action', 'a.outcome', 'a.actor_id', 's.username as actor_username', 'a.client', 'a.ip',
      'a.entity', 'a.entity_id', 'a.before', 'a.after', 'a.reason',
    ])
    .$if(f.actorId !== undefined, (q) => q.where('a.actor_id', '=', f.actorId!))
    .$if(f.action !== undefined && f.action.endsWith('.*'), (q) => q.where('a.action', 'like', `${f.action!.slice(0, -1)}%`))
    .$if(f.action !== undefined && !f.action.endsWith('.*'), (q) => q.where('a.action', '=', f.action!))
    .$if(f.outcome !== undefined, (q) => q.where('a.outcome', '=', f.outcome!))
    .$if(f.entity !== undefined, (q) => q.where('a.entity', '=', f.entity!))
    .$if(f.entityId !== undefined, (q) => q.where('a.entity_id', '=', f.entityId!))
    .$if(f.from !== undefined, (q) => q.where('a.created_at', '>=', f.from!))
    .$if(f.to !== undefined, (q) => q.where('a.created_at', '<', f.to!))
    .$if(f.beforeId !== undefined, (q) => q.where('a.id', '<', f.beforeId!))
    .orderBy('a.id', 'desc')
    .limit(f.limit)
    .execute();
}
