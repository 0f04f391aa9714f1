import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Kysely } from 'kysely';
import type { Database } from '../../server/db/database.js';

export const BMT = { lat: 12.6667, lon: 108.0383 }; // central Buôn Ma Thuột, ward 24133
export const HANOI = { lat: 21.0285, lon: 105.8542 };

const suffix = () => crypto.randomBytes(4).toString('hex');

/** A field of the test's own, so its rows never mix with other tests'. */
export async function createField(db: Kysely<Database>, overrides: Partial<{ deadline_days: number; duplicate_radius_m: number; handled_at: 'ward' | 'province' }> = {}) {
  const code = `t_${suffix()}`;
  await db.insertInto('fields').values({
    code, name_vi: `Thử ${code}`, name_en: `Test ${code}`, color: '#336699', icon: 'road',
    deadline_days: 5, duplicate_radius_m: 100, ...overrides,
  }).execute();
  return code;
}

/** A unit handling the given fields in the given area (by code). */
export async function createUnit(db: Kysely<Database>, opts: { areaCode: string; fieldCodes: string[] }) {
  const area = await db.selectFrom('admin_areas').select('id').where('code', '=', opts.areaCode).executeTakeFirstOrThrow();
  const unit = await db.insertInto('units').values({
    code: `u_${suffix()}`, kind: 'ward_committee', name_vi: 'UBND phường thử', name_en: 'Test ward committee', email: null, phone: null,
  }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('unit_areas').values({ unit_id: unit.id, area_id: area.id }).execute();
  for (const f of opts.fieldCodes) await db.insertInto('unit_fields').values({ unit_id: unit.id, field_code: f }).execute();
  return unit.id;
}

export function fixtureFile(name: string): Buffer {
  return fs.readFileSync(new URL(`../../fixtures/media/${name}`, import.meta.url));
}

export interface ReportForm {
  field: string;
  title?: string;
  description?: string;
  lat?: number | string;
  lon?: number | string;
  name?: string;
  phone?: string;
  email?: string;
  hide_name?: string;
  /** When the form was opened; a person's form by default (a minute ago), null sends none. */
  opened_at?: string | null;
  /** Consent to store contact details; 'true' by default when any is given, null sends none. */
  contact_consent?: string | null;
  photos?: { name: string; data: Buffer; type?: string }[];
  video?: { name: string; data: Buffer; type?: string };
}

export function reportForm(f: ReportForm): FormData {
  const form = new FormData();
  const text: Record<string, unknown> = {
    field: f.field,
    title: f.title ?? 'Ổ gà lớn trước số 12',
    description: f.description ?? 'Ổ gà sâu khoảng 20 cm, xe máy dễ ngã vào buổi tối.',
    lat: f.lat ?? BMT.lat,
    lon: f.lon ?? BMT.lon,
    name: f.name, phone: f.phone, email: f.email, hide_name: f.hide_name,
    opened_at: f.opened_at === null ? undefined : f.opened_at ?? new Date(Date.now() - 60_000).toISOString(),
    contact_consent: f.contact_consent === null ? undefined : f.contact_consent ?? (f.name || f.phone || f.email ? 'true' : undefined),
  };
  for (const [k, v] of Object.entries(text)) if (v !== undefined) form.append(k, String(v));
  for (const p of f.photos ?? []) form.append('photos', new Blob([new Uint8Array(p.data)], { type: p.type ?? 'image/jpeg' }), p.name);
  if (f.video) form.append('video', new Blob([new Uint8Array(f.video.data)], { type: f.video.type ?? 'video/mp4' }), f.video.name);
  return form;
}

export function postReport(app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }, form: FormData, headers: Record<string, string> = {}) {
  return app.request('/api/reports', { method: 'POST', body: form, headers });
}

type RequestApp = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

/** A staff account of the test's own; returns its credentials. */
export async function createStaff(db: Kysely<Database>, role: 'admin' | 'dispatcher' | 'officer' | 'leader', unitId: number | null = null) {
  const { hashPassword } = await import('../../server/services/auth.js');
  const username = `${role}.${suffix()}`;
  const password = `pw-${suffix()}-long-enough`;
  const user = await db.insertInto('staff_users').values({
    username, display_name: `Test ${role}`, password_hash: await hashPassword(password), role, unit_id: unitId,
  }).returning('id').executeTakeFirstOrThrow();
  return { id: user.id, username, password };
}

export interface StaffSession {
  cookie: string;
  csrf: string;
  /** Requests as this staff member, with the cookie and (for writes) the CSRF header. */
  request: (path: string, init?: { method?: string; json?: unknown; body?: BodyInit; headers?: Record<string, string> }) => Promise<Response>;
}

export async function loginAs(app: RequestApp, creds: { username: string; password: string }): Promise<StaffSession> {
  const res = await app.request('/api/auth/login', {
    method: 'POST', body: JSON.stringify({ username: creds.username, password: creds.password }), headers: { 'content-type': 'application/json' },
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  const { csrf_token: csrf } = await res.json();
  return {
    cookie,
    csrf,
    request: async (path, init = {}) => {
      const headers: Record<string, string> = { cookie, ...init.headers };
      const method = init.method ?? (init.json !== undefined || init.body ? 'POST' : 'GET');
      if (method !== 'GET') headers['x-csrf-token'] ??= csrf;
      let body = init.body;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        headers['content-type'] = 'application/json';
      }
      return app.request(path, { method, body, headers });
    },
  };
}
