import { sql } from 'kysely';
import type { Db, NewStaffUserRow, StaffRole } from './database.js';

export async function findStaffByUsername(db: Db, username: string) {
  return db.selectFrom('staff_users').selectAll().where(sql`lower(username)`, '=', username.toLowerCase()).executeTakeFirst();
}

export async function findStaffById(db: Db, id: number) {
  return db.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertStaff(db: Db, row: NewStaffUserRow) {
  return db.insertInto('staff_users').values(row).returning(['id', 'username', 'display_name', 'role', 'unit_id', 'disabled', 'created_at']).executeTakeFirstOrThrow();
}

export async function updateStaff(db: Db, id: number, changes: Partial<{
  display_name: string; role: StaffRole; unit_id: number | null; disabled: boolean; password_hash: string;
  must_change_password: boolean; password_changed_at: Date;
}>) {
  return db.updateTable('staff_users').set(changes).where('id', '=', id)
    .returning(['id', 'username', 'display_name', 'role', 'unit_id', 'disabled', 'created_at']).executeTakeFirst();
}

export async function listStaff(db: Db) {
  return db.selectFrom('staff_users as s').leftJoin('units as u', 'u.id', 's.unit_id')
    // Never the TOTP secret: other staff, admins included, must not be able to read it.
    .select(['s.id', 's.username', 's.display_name', 's.role', 's.unit_id', 's.disabled', 's.created_at', 'u.name_vi as unit_name_vi', 'u.name_en as unit_name_en'])
    .select((eb) => [eb('s.totp_enabled_at', 'is not', null).as('totp_enabled'), 's.must_change_password'])
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
      'u.id as user_id', 'u.username', 'u.display_name', 'u.role', 'u.unit_id', 'u.disabled', 'u.must_change_password', 'u.totp_enabled_at',
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

export async function revokeUserSessions(db: Db, userId: number, at: Date, exceptIdHash?: string) {
  await db.updateTable('staff_sessions').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null)
    .$if(exceptIdHash !== undefined, (q) => q.where('id_hash', '<>', exceptIdHash!))
    .execute();
}

// --- second factor ---------------------------------------------------------------

export async function setPendingTotp(db: Db, userId: number, secret: string) {
  await db.updateTable('staff_users').set({ totp_pending_secret: secret }).where('id', '=', userId).where('totp_enabled_at', 'is', null).execute();
}

/** Makes the pending secret the live one; the step that confirmed it counts as used. */
export async function enableTotp(db: Db, userId: number, secret: string, step: number, at: Date) {
  const r = await db.updateTable('staff_users')
    .set({ totp_secret: secret, totp_pending_secret: null, totp_enabled_at: at, totp_last_step: step })
    .where('id', '=', userId).where('totp_pending_secret', '=', secret).where('totp_enabled_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function clearTotp(db: Db, userId: number) {
  await db.updateTable('staff_users').set({ totp_secret: null, totp_pending_secret: null, totp_enabled_at: null, totp_last_step: null }).where('id', '=', userId).execute();
  await db.deleteFrom('staff_recovery_codes').where('user_id', '=', userId).execute();
}

/**
 * Takes a TOTP step for the user unless it (or a later one) was already
 * used: one conditional UPDATE, so two requests racing with the same code
 * cannot both win.
 */
export async function claimTotpStep(db: Db, userId: number, step: number) {
  const r = await db.updateTable('staff_users').set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function replaceRecoveryCodes(db: Db, userId: number, hashes: string[]) {
  await db.deleteFrom('staff_recovery_codes').where('user_id', '=', userId).execute();
  await db.insertInto('staff_recovery_codes').values(hashes.map((code_hash) => ({ user_id: userId, code_hash }))).execute();
}

/** Spends a recovery code; false when it is unknown or already spent. */
export async function useRecoveryCode(db: Db, userId: number, hash: string, at: Date) {
  const r = await db.updateTable('staff_recovery_codes').set({ used_at: at })
    .where('user_id', '=', userId).where('code_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function countRecoveryCodesLeft(db: Db, userId: number) {
  const row = await db.selectFrom('staff_recovery_codes').select(sql<number>`count(*)::int`.as('n'))
    .where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow();
  return row.n;
}

export async function findThrottle(db: Db, keys: string[]) {
  return db.selectFrom('login_throttle').selectAll().where('key', 'in', keys).execute();
}

/** A key quiet for this long starts counting from zero again, so old failures cannot add up to a lock months later. */
const FAILURE_MEMORY_MS = 60 * 60_000;

/** Counts one more failure and sets the lock the caller computed, atomically per key. */
export async function recordFailure(db: Db, key: string, lockFor: (failures: number) => number, now: Date): Promise<number> {
  const forgetBefore = new Date(now.getTime() - FAILURE_MEMORY_MS);
  const row = await db
    .insertInto('login_throttle')
    .values({ key, failures: 1, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({
      failures: sql`CASE WHEN login_throttle.updated_at < ${forgetBefore} THEN 1 ELSE login_throttle.failures + 1 END`, updated_at: now,
    }))
    .returning('failures')
    .executeTakeFirstOrThrow();
  const ms = lockFor(row.failures);
  if (ms > 0) await db.updateTable('login_throttle').set({ locked_until: new Date(now.getTime() + ms) }).where('key', '=', key).execute();
  return row.failures;
}

export async function clearThrottle(db: Db, key: string) {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}

export async function findStaffIdByUsername(db: Db, username: string): Promise<number | undefined> {
  return (await db.selectFrom('staff_users').select('id').where('username', '=', username).executeTakeFirst())?.id;
}
