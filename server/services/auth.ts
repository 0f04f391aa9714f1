import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { Database, StaffRole } from '../db/database.js';
import {
  clearThrottle, findSession, findStaffByUsername, findThrottle, insertSession, recordFailure, revokeSession, touchSession,
} from '../db/staff.repo.js';
import { DomainError } from '../errors.js';

export const IDLE_TIMEOUT_MS = 30 * 60_000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60_000;
export const MIN_PASSWORD_LENGTH = 10;
/** Failures allowed before the lock starts; each further failure doubles it. */
const FREE_FAILURES = 5;
const BASE_LOCK_MS = 30_000;
const MAX_LOCK_MS = 15 * 60_000;

export interface StaffContext {
  userId: number;
  username: string;
  displayName: string;
  role: StaffRole;
  unitId: number | null;
  unitName: { vi: string; en: string } | null;
  sessionHash: string;
  csrfToken: string;
}

const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 }; // OWASP's argon2id minimum

export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new DomainError(400, 'validation_failed', 'Password too short', { password: `At least ${MIN_PASSWORD_LENGTH} characters` });
  }
  return hash(password, ARGON2);
}

// Verified against when the username is unknown, so both failures take as long.
let dummyHash: Promise<string> | undefined;

export function sessionHash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function lockDuration(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(BASE_LOCK_MS * 2 ** (failures - FREE_FAILURES), MAX_LOCK_MS);
}

const invalidLogin = () => new DomainError(401, 'invalid_credentials', 'Invalid username or password');

/**
 * Checks the password and opens a new session (a fresh id every login, so a
 * planted cookie is worthless). Unknown users and wrong passwords fail alike;
 * repeated failures per username and per client address lock with backoff.
 */
export async function login(
  db: Kysely<Database>,
  input: { username: string; password: string; ip: string; userAgent: string | null; previousToken?: string },
  now = new Date(),
) {
  const keys = [`user:${input.username.toLowerCase()}`, `ip:${input.ip}`];
  const locks = await findThrottle(db, keys);
  const lockedUntil = Math.max(0, ...locks.map((l) => l.locked_until?.getTime() ?? 0));
  if (lockedUntil > now.getTime()) {
    const seconds = Math.ceil((lockedUntil - now.getTime()) / 1000);
    throw new DomainError(429, 'too_many_attempts', `Too many failed logins. Try again in ${seconds} s.`, { retry_after: String(seconds) });
  }
  const user = await findStaffByUsername(db, input.username);
  dummyHash ??= hash('not-a-real-password', ARGON2);
  const ok = await verify(user?.password_hash ?? (await dummyHash), input.password).catch(() => false);
  if (!user || !ok || user.disabled) {
    for (const key of keys) await recordFailure(db, key, lockDuration, now);
    throw invalidLogin();
  }
  for (const key of keys) await clearThrottle(db, key);
  if (input.previousToken) await revokeSession(db, sessionHash(input.previousToken), now);
  const token = crypto.randomBytes(32).toString('base64url');
  const csrfToken = crypto.randomBytes(32).toString('base64url');
  await insertSession(db, { id_hash: sessionHash(token), user_id: user.id, csrf_token: csrfToken, ip: input.ip, user_agent: input.userAgent });
  return { token, csrfToken, user: { id: user.id, username: user.username, display_name: user.display_name, role: user.role, unit_id: user.unit_id } };
}

/** Resolves a session cookie to the staff member, enforcing idle and absolute timeouts. */
export async function authenticate(db: Kysely<Database>, token: string, now = new Date()): Promise<StaffContext | undefined> {
  const idHash = sessionHash(token);
  const s = await findSession(db, idHash);
  if (!s || s.disabled) return undefined;
  if (now.getTime() - s.created_at.getTime() > ABSOLUTE_TIMEOUT_MS || now.getTime() - s.last_seen_at.getTime() > IDLE_TIMEOUT_MS) {
    await revokeSession(db, idHash, now);
    return undefined;
  }
  // Writing on every request would serialise all staff traffic on one row; a minute's precision is plenty.
  if (now.getTime() - s.last_seen_at.getTime() > 60_000) await touchSession(db, idHash, now);
  return {
    userId: s.user_id, username: s.username, displayName: s.display_name, role: s.role, unitId: s.unit_id,
    unitName: s.unit_name_vi ? { vi: s.unit_name_vi, en: s.unit_name_en! } : null,
    sessionHash: idHash, csrfToken: s.csrf_token,
  };
}

export async function logout(db: Kysely<Database>, staff: StaffContext, now = new Date()) {
  await revokeSession(db, staff.sessionHash, now);
}
