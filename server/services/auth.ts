import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import type { Database, StaffRole } from '../db/database.js';
import {
  claimTotpStep, clearThrottle, clearTotp, countRecoveryCodesLeft, enableTotp, findSession, findStaffById, findStaffByUsername, findThrottle,
  insertSession, recordFailure, replaceRecoveryCodes, revokeSession, revokeUserSessions, setPendingTotp, touchSession, updateStaff, useRecoveryCode,
} from '../db/staff.repo.js';
import { DomainError, validationFailed } from '../errors.js';
import type { Logger } from '../log.js';
import { MIN_PASSWORD_LENGTH, passwordProblem } from './password-policy.js';
import { recordSecurityEvent, RefusalSampler } from './security-events.js';

export { MIN_PASSWORD_LENGTH };
export const IDLE_TIMEOUT_MS = 30 * 60_000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60_000;
/** Failures one address may make for one username before it waits; each further failure doubles the wait. */
const FREE_FAILURES = 5;
/** Failures one address may make across all usernames (an office behind one NAT shares it). */
const FREE_ADDRESS_FAILURES = 20;
const BASE_LOCK_MS = 30_000;
const MAX_LOCK_MS = 15 * 60_000;
/** Failures against one account, from anywhere, at which a "targeted" event is written (then every 10×). */
const TARGETED_ALERT_AT = 10;
const TOTP_PERIOD_S = 30;
const RECOVERY_CODES = 10;
const throttledSampler = new RefusalSampler();

export interface StaffContext {
  userId: number;
  username: string;
  displayName: string;
  role: StaffRole;
  unitId: number | null;
  unitName: { vi: string; en: string } | null;
  sessionHash: string;
  csrfToken: string;
  totpEnabled: boolean;
  mustChangePassword: boolean;
}

/** What a session may do before it is a full one: only the account endpoints that lift the restriction. */
export type SessionRestriction = 'password_change_required' | 'totp_enrolment_required';

export function sessionRestriction(staff: Pick<StaffContext, 'role' | 'totpEnabled' | 'mustChangePassword'>, mfaRequiredRoles: readonly StaffRole[]): SessionRestriction | null {
  if (staff.mustChangePassword) return 'password_change_required';
  if (!staff.totpEnabled && mfaRequiredRoles.includes(staff.role)) return 'totp_enrolment_required';
  return null;
}

const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 }; // OWASP's argon2id minimum

/** Hashes a password that has already passed the policy (the length floor is kept here as a last guard). */
export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw validationFailed({ password: `At least ${MIN_PASSWORD_LENGTH} characters` });
  }
  return hash(password, ARGON2);
}

/** Refuses a password the policy rejects, naming the field it came in. */
export function assertPasswordPolicy(password: string, userInputs: string[], field = 'password') {
  const problem = passwordProblem(password, userInputs);
  if (problem) throw validationFailed({ [field]: problem });
}

// Verified against when the username is unknown, so both failures take as long.
let dummyHash: Promise<string> | undefined;

export function sessionHash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function lockDuration(failures: number, free = FREE_FAILURES): number {
  if (failures < free) return 0;
  return Math.min(BASE_LOCK_MS * 2 ** (failures - free), MAX_LOCK_MS);
}

const invalidLogin = () => new DomainError('invalid_credentials', 'Invalid username or password');

/**
 * The throttle keys of one login attempt. Only the source's keys can make a
 * login wait: the address, and the address with this username. The account
 * key counts failures from everywhere but never blocks (ASVS 5.0 V6.3.1: an
 * attacker must not be able to lock out a legitimate user).
 */
function throttleKeys(ip: string, username: string) {
  const name = username.toLowerCase();
  return { address: `ip:${ip}`, source: `src:${ip}|${name}`, account: `acct:${name}` };
}

async function assertSourceNotLocked(db: Kysely<Database>, keys: string[], now: Date) {
  const locks = await findThrottle(db, keys);
  const lockedUntil = Math.max(0, ...locks.map((l) => l.locked_until?.getTime() ?? 0));
  if (lockedUntil > now.getTime()) {
    const seconds = Math.ceil((lockedUntil - now.getTime()) / 1000);
    throw new DomainError('too_many_attempts', `Too many failed attempts. Try again in ${seconds} s.`, { retry_after: String(seconds) });
  }
}

/** Counts a failed password or code against the source; returns the failures the account has seen from everywhere. */
async function countFailure(db: Kysely<Database>, k: ReturnType<typeof throttleKeys>, now: Date) {
  // Only in-process calls (tests) have no address (routes/rate-limit.ts UNKNOWN_ADDRESS); as one shared source they would lock each other out.
  if (k.address !== 'ip:unknown') await recordFailure(db, k.address, (n) => lockDuration(n, FREE_ADDRESS_FAILURES), now);
  await recordFailure(db, k.source, (n) => lockDuration(n), now);
  return recordFailure(db, k.account, () => 0, now);
}

export interface LoginInput {
  username: string;
  password: string;
  /** A 6-digit TOTP code or a recovery code, when the account has a second factor. */
  totp?: string;
  ip: string;
  userAgent: string | null;
  previousToken?: string;
  mfaRequiredRoles?: readonly StaffRole[];
  logger?: Logger;
}

/**
 * Checks the password (and the second factor, when enrolled) and opens a new
 * session (a fresh id every login, so a planted cookie is worthless). Unknown
 * users and wrong passwords fail alike. Failures make the source that sent
 * them wait, never a correct login from elsewhere.
 */
export async function login(db: Kysely<Database>, input: LoginInput, now = new Date()) {
  const keys = throttleKeys(input.ip, input.username);
  const event = (e: Omit<Parameters<typeof recordSecurityEvent>[1], 'ip'>) => recordSecurityEvent(db, { ...e, ip: input.ip }, input.logger);
  try {
    await assertSourceNotLocked(db, [keys.address, keys.source], now);
  } catch (error) {
    // A locked source that keeps trying would otherwise write a row per try.
    const suppressed = throttledSampler.take(`throttled:${input.ip}`, now.getTime());
    if (suppressed !== undefined) await event({ action: 'auth.login', outcome: 'refused', reason: 'throttled', detail: { suppressed_before: suppressed } });
    throw error;
  }
  const user = await findStaffByUsername(db, input.username);
  dummyHash ??= hash('not-a-real-password', ARGON2);
  const ok = await verify(user?.password_hash ?? (await dummyHash), input.password).catch(() => false);
  if (!user || !ok || user.disabled) {
    const accountFailures = await countFailure(db, keys, now);
    // The typed username is not stored for unknown accounts: people type passwords into that box.
    const target = user ? { entity: 'staff_user', id: String(user.id) } : undefined;
    await event({ action: 'auth.login', outcome: 'failure', target, reason: user?.disabled ? 'disabled' : 'invalid_credentials' });
    if (user && accountFailures >= TARGETED_ALERT_AT && Number.isInteger(Math.log10(accountFailures / TARGETED_ALERT_AT))) {
      await event({ action: 'auth.login.targeted', outcome: 'failure', target, detail: { failures: accountFailures } });
    }
    throw invalidLogin();
  }
  const target = { entity: 'staff_user', id: String(user.id) };
  let factor: 'password' | 'totp' | 'recovery_code' = 'password';
  if (user.totp_enabled_at) {
    if (!input.totp) {
      await event({ action: 'auth.login', outcome: 'refused', actorId: user.id, target, reason: 'totp_required' });
      throw new DomainError('totp_required', 'Enter the code from your authenticator app', { totp: 'Enter the 6-digit code or a recovery code' });
    }
    factor = await checkSecondFactor(db, user.id, user.totp_secret!, input.totp, now);
    if (factor === 'password') {
      await countFailure(db, keys, now);
      await event({ action: 'auth.totp', outcome: 'failure', actorId: user.id, target, reason: 'invalid_code' });
      throw new DomainError('totp_invalid', 'The code is wrong, expired or already used', { totp: 'The code is wrong, expired or already used' });
    }
  }
  // The address key stays: logging in to one's own account must not reset an address that guesses others'.
  await clearThrottle(db, keys.source);
  await clearThrottle(db, keys.account);
  if (input.previousToken) await revokeSession(db, sessionHash(input.previousToken), now);
  const token = crypto.randomBytes(32).toString('base64url');
  const csrfToken = crypto.randomBytes(32).toString('base64url');
  await insertSession(db, { id_hash: sessionHash(token), user_id: user.id, csrf_token: csrfToken, ip: input.ip, user_agent: input.userAgent });
  const restriction = sessionRestriction(
    { role: user.role, totpEnabled: !!user.totp_enabled_at, mustChangePassword: user.must_change_password }, input.mfaRequiredRoles ?? [],
  );
  await event({ action: 'auth.login', outcome: 'success', actorId: user.id, target, detail: { factor, ...(restriction ? { restriction } : {}) } });
  return {
    token, csrfToken, restriction,
    user: { id: user.id, username: user.username, display_name: user.display_name, role: user.role, unit_id: user.unit_id },
  };
}

// --- TOTP (RFC 6238) and recovery codes ----------------------------------------------

function totpFor(secret: string, username = '') {
  return new OTPAuth.TOTP({
    issuer: 'civic-ops', label: username, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_S, secret: OTPAuth.Secret.fromBase32(secret),
  });
}

/** The step a code belongs to, within one step of clock drift either way; undefined when it matches none. */
function matchingStep(secret: string, code: string, now: Date): number | undefined {
  const delta = totpFor(secret).validate({ token: code, timestamp: now.getTime(), window: 1 });
  return delta === null ? undefined : Math.floor(now.getTime() / 1000 / TOTP_PERIOD_S) + delta;
}

const recoveryHash = (code: string) => crypto.createHash('sha256').update(code.toLowerCase().replace(/[^a-z0-9]/g, '')).digest('hex');

/** Which factor the code proved: totp, recovery_code, or password (meaning: neither). */
async function checkSecondFactor(db: Kysely<Database>, userId: number, secret: string, code: string, now: Date) {
  const trimmed = code.replace(/\s/g, '');
  if (/^\d{6}$/.test(trimmed)) {
    const step = matchingStep(secret, trimmed, now);
    // A code is good once: its step (and every earlier one) is spent when it is accepted.
    return step !== undefined && (await claimTotpStep(db, userId, step)) ? 'totp' : 'password';
  }
  return (await useRecoveryCode(db, userId, recoveryHash(trimmed), now)) ? 'recovery_code' : 'password';
}

/**
 * 24 symbols of 5 bits: 120 bits, above the 112 that ASVS 5.0 V6.5.2 asks of
 * lookup secrets kept under a plain SHA-2 hash rather than a password hash.
 */
function newRecoveryCodes(): string[] {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789'; // 32 symbols without 0/o, 1/l
  return Array.from({ length: RECOVERY_CODES }, () => {
    const chars = Array.from(crypto.randomBytes(24), (b) => alphabet[b & 31]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

async function issueRecoveryCodes(db: Kysely<Database>, userId: number) {
  const codes = newRecoveryCodes();
  await replaceRecoveryCodes(db, userId, codes.map(recoveryHash));
  return codes;
}

interface AccountDeps {
  db: Kysely<Database>;
  logger?: Logger;
  mfaRequiredRoles: readonly StaffRole[];
}

async function requireCurrentPassword(d: AccountDeps, staff: StaffContext, password: string, field: string, ip: string, now: Date) {
  const keys = throttleKeys(ip, staff.username);
  await assertSourceNotLocked(d.db, [keys.address, keys.source], now);
  const user = await findStaffById(d.db, staff.userId);
  if (!user || !(await verify(user.password_hash, password).catch(() => false))) {
    await countFailure(d.db, keys, now);
    await recordSecurityEvent(d.db, { action: 'auth.reauth', outcome: 'failure', actorId: staff.userId, ip, target: { entity: 'staff_user', id: String(staff.userId) } }, d.logger);
    throw validationFailed({ [field]: 'The password is wrong' });
  }
  return user;
}

/** What the account page shows about the user's own second factor. */
export async function accountStatus(db: Kysely<Database>, staff: StaffContext, mfaRequiredRoles: readonly StaffRole[]) {
  return {
    totp_enabled: staff.totpEnabled,
    totp_required: mfaRequiredRoles.includes(staff.role),
    recovery_codes_left: staff.totpEnabled ? await countRecoveryCodesLeft(db, staff.userId) : 0,
    must_change_password: staff.mustChangePassword,
    restriction: sessionRestriction(staff, mfaRequiredRoles),
  };
}

/** Starts enrolment: a new secret, shown once as text and as a QR code, live only after a first code confirms it. */
export async function startTotpEnrolment(d: AccountDeps, staff: StaffContext, password: string, ip: string, now = new Date()) {
  if (staff.totpEnabled) throw new DomainError('totp_already_enabled', 'A second factor is already set up; disable it first');
  await requireCurrentPassword(d, staff, password, 'password', ip, now);
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await setPendingTotp(d.db, staff.userId, secret);
  const uri = totpFor(secret, staff.username).toString();
  return { secret, otpauth_uri: uri, qr_svg: await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }) };
}

export async function confirmTotpEnrolment(d: AccountDeps, staff: StaffContext, code: string, ip: string, now = new Date()) {
  const user = await findStaffById(d.db, staff.userId);
  const target = { entity: 'staff_user', id: String(staff.userId) };
  if (!user?.totp_pending_secret || user.totp_enabled_at) throw new DomainError('totp_not_pending', 'Start the set-up first');
  const step = /^\d{6}$/.test(code.trim()) ? matchingStep(user.totp_pending_secret, code.trim(), now) : undefined;
  if (step === undefined) {
    await recordSecurityEvent(d.db, { action: 'auth.totp.enrol', outcome: 'failure', actorId: staff.userId, ip, target, reason: 'invalid_code' }, d.logger);
    throw validationFailed({ code: 'The code is wrong or expired; check the clock of the phone' });
  }
  const codes = await d.db.transaction().execute(async (trx) => {
    if (!(await enableTotp(trx, staff.userId, user.totp_pending_secret!, step, now))) throw new DomainError('totp_not_pending', 'Start the set-up first');
    const fresh = newRecoveryCodes();
    await replaceRecoveryCodes(trx, staff.userId, fresh.map(recoveryHash));
    await recordSecurityEvent(trx, { action: 'auth.totp.enrol', outcome: 'success', actorId: staff.userId, ip, target }, d.logger);
    return fresh;
  });
  return { recovery_codes: codes };
}

/** Disabling needs the password again, and is refused for roles that must have a second factor. */
export async function disableTotp(d: AccountDeps, staff: StaffContext, password: string, ip: string, now = new Date()) {
  if (d.mfaRequiredRoles.includes(staff.role)) {
    throw new DomainError('totp_required_for_role', `The role ${staff.role} must keep a second factor`);
  }
  await requireCurrentPassword(d, staff, password, 'password', ip, now);
  await clearTotp(d.db, staff.userId);
  await recordSecurityEvent(d.db, { action: 'auth.totp.disable', outcome: 'success', actorId: staff.userId, ip, target: { entity: 'staff_user', id: String(staff.userId) } }, d.logger);
  return { ok: true };
}

/** New recovery codes replace all old ones; a current TOTP code proves the phone is still at hand. */
export async function regenerateRecoveryCodes(d: AccountDeps, staff: StaffContext, code: string, ip: string, now = new Date()) {
  const user = await findStaffById(d.db, staff.userId);
  const target = { entity: 'staff_user', id: String(staff.userId) };
  if (!user?.totp_enabled_at || !user.totp_secret) throw new DomainError('totp_not_enabled', 'Set up a second factor first');
  const step = /^\d{6}$/.test(code.trim()) ? matchingStep(user.totp_secret, code.trim(), now) : undefined;
  if (step === undefined || !(await claimTotpStep(d.db, staff.userId, step))) {
    await recordSecurityEvent(d.db, { action: 'auth.totp', outcome: 'failure', actorId: staff.userId, ip, target, reason: 'invalid_code' }, d.logger);
    throw validationFailed({ code: 'The code is wrong, expired or already used' });
  }
  const codes = await issueRecoveryCodes(d.db, staff.userId);
  await recordSecurityEvent(d.db, { action: 'auth.recovery_codes.regenerate', outcome: 'success', actorId: staff.userId, ip, target }, d.logger);
  return { recovery_codes: codes };
}

/**
 * Self-service change: the current password, a new one that passes the
 * policy, and every other session of the user ends (a thief's included).
 */
export async function changeOwnPassword(d: AccountDeps, staff: StaffContext, input: { current_password: string; new_password: string }, ip: string, now = new Date()) {
  await requireCurrentPassword(d, staff, input.current_password, 'current_password', ip, now);
  if (input.new_password === input.current_password) throw validationFailed({ new_password: 'Choose a password different from the current one' });
  assertPasswordPolicy(input.new_password, [staff.username, staff.displayName], 'new_password');
  const password_hash = await hashPassword(input.new_password);
  await d.db.transaction().execute(async (trx) => {
    await updateStaff(trx, staff.userId, { password_hash, must_change_password: false, password_changed_at: now });
    await revokeUserSessions(trx, staff.userId, now, staff.sessionHash);
    await recordSecurityEvent(trx, { action: 'auth.password.change', outcome: 'success', actorId: staff.userId, ip, target: { entity: 'staff_user', id: String(staff.userId) } }, d.logger);
  });
  return { ok: true };
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
    totpEnabled: s.totp_enabled_at !== null, mustChangePassword: s.must_change_password,
  };
}

export async function logout(db: Kysely<Database>, staff: StaffContext, now = new Date(), ip?: string, logger?: Logger) {
  await revokeSession(db, staff.sessionHash, now);
  await recordSecurityEvent(db, { action: 'auth.logout', outcome: 'success', actorId: staff.userId, ip, target: { entity: 'staff_user', id: String(staff.userId) } }, logger);
}
