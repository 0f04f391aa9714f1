import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, NewStaffUserRow, StaffRole } from './database.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function findStaffByUsername(db: Db, username: string) {
  return db.selectFrom('staff_users').selectAll().where(sql`lower(username)`, '=', username.toLowerCase()).executeTakeFirst();
}

export async function findStaffById(db: Db, id: number) {
  return db.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertStaff(db: Db, row: NewStaffUserRow) {
  return db.insertInto('staff_users').values(row).returning(['id', 'username', 'display_name', 'role', 'unit_id', 'disabled', 'created_at']).executeTakeFirstOrThrow();
}

export async function updateStaff(db: Db, id: number, changes: Partial<{ display_name: string; role: StaffRole; unit_id: number | null; disabled: boolean; password_hash: string }>) {
  return db.updateTable('staff_users').set(changes).where('id', '=', id)
    .returning(['id', 'username', 'display_name', 'role', 'unit_id', 'disabled', 'created_at']).executeTakeFirst();
}

export async function listStaff(db: Db) {
  return db.selectFrom('staff_users as s').leftJoin('units as u', 'u.id', 's.unit_id')
    .select(['s.id', 's.username', 's.display_name', 's.role', 's.unit_id', 's.disabled', 's.created_at', 'u.name_vi as unit_name_vi', 'u.name_en as unit_name_en'])
    .orderBy('s.username').execute();
}

export async function insertSession(db: Db, row: { id_hash: string; user_id: number; csrf_token: string; ip: string | null; user_agent: string | null }) {
  await db.insertInto('staff_sessions').values(row).execute();
}

/** The live session with its user; expiry is decided by the caller. */
export async function findSession(db: Db, idHash: string) {
  return db
    .selectFrom('staff_sessions as s')
    .innerJoin('staff_users as u', 'u.id', 's.user_id')
    .leftJoin('units as un', 'un.id', 'u.unit_id')
    .where('s.id_hash', '=', idHash)
    .where('s.revoked_at', 'is', null)
    .select([
      's.id_hash', 's.csrf_token', 's.created_at', 's.last_seen_at',
      'u.id as user_id', 'u.username', 'u.display_name', 'u.role', 'u.unit_id', 'u.disabled',
      'un.name_vi as unit_name_vi', 'un.name_en as unit_name_en',
    ])
    .executeTakeFirst();
}

export async function touchSession(db: Db, idHash: string, at: Date) {
  await db.updateTable('staff_sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
}

export async function revokeSession(db: Db, idHash: string, at: Date) {
  await db.updateTable('staff_sessions').set({ revoked_at: at }).where('id_hash', '=', idHash).where('revoked_at', 'is', null).execute();
}

export async function revokeUserSessions(db: Db, userId: number, at: Date) {
  await db.updateTable('staff_sessions').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

export async function findThrottle(db: Db, keys: string[]) {
  return db.selectFrom('login_throttle').selectAll().where('key', 'in', keys).execute();
}

/** Counts one more failure and sets the lock the caller computed, atomically per key. */
export async function recordFailure(db: Db, key: string, lockFor: (failures: number) => number, now: Date) {
  const row = await db
    .insertInto('login_throttle')
    .values({ key, failures: 1, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ failures: sql`login_throttle.failures + 1`, updated_at: now }))
    .returning('failures')
    .executeTakeFirstOrThrow();
  const ms = lockFor(row.failures);
  if (ms > 0) await db.updateTable('login_throttle').set({ locked_until: new Date(now.getTime() + ms) }).where('key', '=', key).execute();
}

export async function clearThrottle(db: Db, key: string) {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}
