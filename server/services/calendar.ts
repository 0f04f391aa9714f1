import type { Kysely } from 'kysely';
import { countCalendarDays, listCalendarDays, upsertCalendarDay } from '../db/calendar.repo.js';
import type { Database } from '../db/database.js';
import { addWorkingDays, VN_MAKEUP_WORKDAYS, VN_PUBLIC_HOLIDAYS } from './working-days.js';

export interface WorkCalendar {
  holidays: Set<string>;
  workdays: Set<string>;
}

const CACHE_MS = 60_000;
const cache = new WeakMap<Kysely<Database>, { at: number; calendar: WorkCalendar }>();

/** Seeds the official 2025–2027 holidays into an empty calendar; admins edit it from then on. */
export async function ensureCalendar(db: Kysely<Database>): Promise<void> {
  if ((await countCalendarDays(db)) > 0) return;
  for (const day of VN_PUBLIC_HOLIDAYS) await upsertCalendarDay(db, { day, kind: 'holiday', name: 'Nghỉ lễ, Tết' });
  for (const day of VN_MAKEUP_WORKDAYS) await upsertCalendarDay(db, { day, kind: 'workday', name: 'Làm bù' });
}

/** The working calendar, cached briefly: deadlines are computed on every submission. */
export async function workCalendar(db: Kysely<Database>): Promise<WorkCalendar> {
  const hit = cache.get(db);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.calendar;
  const days = await listCalendarDays(db);
  const calendar = {
    holidays: new Set(days.filter((d) => d.kind === 'holiday').map((d) => d.day)),
    workdays: new Set(days.filter((d) => d.kind === 'workday').map((d) => d.day)),
  };
  cache.set(db, { at: Date.now(), calendar });
  return calendar;
}

export function invalidateCalendar(db: Kysely<Database>): void {
  cache.delete(db);
}

/** Due date: the given number of working days after start, by the configured calendar. */
export async function dueDate(db: Kysely<Database>, start: Date, workingDays: number): Promise<Date> {
  const { holidays, workdays } = await workCalendar(db);
  return addWorkingDays(start, workingDays, holidays, workdays);
}
