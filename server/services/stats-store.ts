import type { Kysely } from 'kysely';
import { REPORT_STATUSES, type Database, type ReportStatus } from '../db/database.js';
import {
  selectChangedStoreRows, selectSnapshotXmin, selectStoreRows, type StatsFilter, type StoreCursor, type StoreRow,
} from '../db/stats.repo.js';
import { OPEN_STATUSES } from '../domain/statuses.js';

/** Asia/Ho_Chi_Minh keeps UTC+7 all year, so a local day is plain arithmetic. */
const LOCAL_OFFSET_S = 7 * 3600;
const DAY_S = 86_400;
/** The local day number (days since 1970-01-01) of an epoch second. */
export const localDayOf = (sec: number) => Math.floor((sec + LOCAL_OFFSET_S) / DAY_S);
/** The day number of a local date YYYY-MM-DD. */
export const dayOfDate = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
export const dateOfDay = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
/** ISO weekday, Monday 1: day 0 (1970-01-01) was a Thursday. */
export const weekdayOf = (day: number) => ((day + 3) % 7) + 1;

const FLAG_HELD = 1;
const FLAG_RATED = 2;
const FLAG_SATISFIED = 4;
const FLAG_GONE = 8;
const LOAD_CHUNK = 50_000;
const REMEMBERED_ANSWERS = 500;
const OPEN_MASK = REPORT_STATUSES.map((s) => (OPEN_STATUSES as readonly string[]).includes(s));

export const STORE_RESOLUTIONS = [5, 6, 7] as const;
export type StoreResolution = (typeof STORE_RESOLUTIONS)[number];

/**
 * Every report as a few columns of typed arrays (about 44 bytes a report:
 * 44 MB at 1M), one copy per API worker. A figure is one pass over the
 * columns, a few milliseconds per million reports, exact and for any filter,
 * with no read of the reports table per request.
 *
 * It stays current by reading, before each figure, the reports written since
 * its last look (stats_xid, sql/0013): a figure reflects every change
 * committed before its request began.
 */
export class StatsStore {
  size = 0;
  /** Bumped whenever a refresh changed anything. */
  version = 0;
  // Epoch seconds; 0 when absent.
  created = new Uint32Array(0);
  resolved = new Uint32Array(0);
  due = new Uint32Array(0);
  reopened = new Uint32Array(0);
  ward = new Uint32Array(0);
  district = new Uint32Array(0);
  /** 0: not routed to a unit. */
  unit = new Uint32Array(0);
  field = new Uint16Array(0);
  /** Index in REPORT_STATUSES. */
  status = new Uint8Array(0);
  flags = new Uint8Array(0);
  /** Per resolution 5, 6, 7: the index of the report's cell in `cells`. */
  hex: Uint32Array[] = STORE_RESOLUTIONS.map(() => new Uint32Array(0));
  readonly cells: string[][] = STORE_RESOLUTIONS.map(() => []);
  readonly fieldCodes: string[] = [];
  #cellIndex = STORE_RESOLUTIONS.map(() => new Map<string, number>());
  #fieldIndex = new Map<string, number>();
  /** Report id → slot + 1 (0: not held). */
  #slotOf = new Int32Array(0);
  #xmin = '1';
  #refreshing: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  static async load(db: Kysely<Database>): Promise<StatsStore> {
    const store = new StatsStore();
    // Taken before the first chunk: anything written while loading is read again by the first refresh.
    store.#xmin = await selectSnapshotXmin(db);
    for (let after: StoreCursor | null = null; ;) {
      const { rows, next } = await selectStoreRows(db, after, LOAD_CHUNK);
      if (!rows.length) break;
      for (const row of rows) store.apply(row);
      after = next;
    }
    store.version = 1;
    return store;
  }

  /**
   * Reads what changed since the last look. Calls that arrive while one runs
   * share a single follow-up, started after it: the running one may have taken
   * its snapshot before their caller's own write committed.
   */
  refresh(db: Kysely<Database>): Promise<void> {
    if (!this.#refreshing) {
      this.#refreshing = this.#readChanges(db).finally(() => (this.#refreshing = undefined));
      return this.#refreshing;
    }
    this.#queued ??= this.#refreshing.catch(() => {}).then(() => {
      this.#queued = undefined;
      return this.refresh(db);
    });
    return this.#queued;
  }

  async #readChanges(db: Kysely<Database>) {
    const { rows, deleted, xmin } = await selectChangedStoreRows(db, this.#xmin);
    let changed = false;
    for (const id of deleted) changed = this.remove(id) || changed;
    for (const row of rows) changed = this.apply(row) || changed;
    this.#xmin = xmin;
    if (changed) this.version++;
  }

  /** Stores or overwrites one report; false when nothing the figures read changed. */
  apply(row: StoreRow): boolean {
    let slot = row.id < this.#slotOf.length ? this.#slotOf[row.id] - 1 : -1;
    const fresh = slot < 0;
    if (fresh) {
      slot = this.size;
      this.#grow(slot + 1, row.id + 1);
      this.size++;
      this.#slotOf[row.id] = slot + 1;
    }
    const flags = (row.needs_review ? FLAG_HELD : 0) | (row.rating_satisfied !== null ? FLAG_RATED : 0) | (row.rating_satisfied ? FLAG_SATISFIED : 0);
    const values = [
      Math.round(row.created), Math.round(row.resolved ?? 0), Math.round(row.due ?? 0), Math.round(row.reopened ?? 0),
      row.ward_id, row.district_id, row.unit_id ?? 0, this.#fieldOf(row.field_code), REPORT_STATUSES.indexOf(row.status), flags,
      this.#cellOf(0, row.h3_r5), this.#cellOf(1, row.h3_r6), this.#cellOf(2, row.h3_r7),
    ];
    const columns = this.#columns();
    let changed = fresh;
    for (let c = 0; c < columns.length; c++) {
      if (columns[c][slot] !== values[c]) {
        columns[c][slot] = values[c];
        changed = true;
      }
    }
    return changed;
  }

  /** Marks a deleted report's slot as gone; its id is never reused, so the slot stays unused. */
  remove(id: number): boolean {
    const slot = id < this.#slotOf.length ? this.#slotOf[id] - 1 : -1;
    if (slot < 0 || this.flags[slot] & FLAG_GONE) return false;
    this.flags[slot] = FLAG_GONE;
    return true;
  }

  #columns() {
    return [this.created, this.resolved, this.due, this.reopened, this.ward, this.district, this.unit, this.field, this.status, this.flags, ...this.hex];
  }

  #grow(slots: number, ids: number) {
    if (slots > this.created.length) {
      const capacity = Math.max(1024, slots, this.created.length * 2);
      const grown = <T extends Uint8Array | Uint16Array | Uint32Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(capacity);
        b.set(a);
        return b;
      };
      this.created = grown(this.created);
      this.resolved = grown(this.resolved);
      this.due = grown(this.due);
      this.reopened = grown(this.reopened);
      this.ward = grown(this.ward);
      this.district = grown(this.district);
      this.unit = grown(this.unit);
      this.field = grown(this.field);
      this.status = grown(this.status);
      this.flags = grown(this.flags);
      this.hex = this.hex.map(grown);
    }
    if (ids > this.#slotOf.length) {
      const slotOf = new Int32Array(Math.max(1024, ids, this.#slotOf.length * 2));
      slotOf.set(this.#slotOf);
      this.#slotOf = slotOf;
    }
  }

  #fieldOf(code: string) {
    let i = this.#fieldIndex.get(code);
    if (i === undefined) {
      i = this.fieldCodes.push(code) - 1;
      this.#fieldIndex.set(code, i);
    }
    return i;
  }

  #cellOf(r: number, cell: string) {
    let i = this.#cellIndex[r].get(cell);
    if (i === undefined) {
      i = this.cells[r].push(cell) - 1;
      this.#cellIndex[r].set(cell, i);
    }
    return i;
  }

  /**
   * Slots ordered by local day of creation and of resolution (counting sort),
   * the open slots and the reopened ones: a figure for a window visits only
   * the reports received or resolved in it and the backlog, not every report.
   * Rebuilt in linear time after a refresh that changed anything.
   */
  #index: StoreIndex | undefined;
  index(): StoreIndex {
    if (this.#index?.version !== this.version) this.#index = this.#buildIndex();
    return this.#index;
  }

  #buildIndex(): StoreIndex {
    const created = new Int32Array(this.size);
    const resolved = new Int32Array(this.size);
    let firstDay = Infinity;
    let lastDay = -Infinity;
    const open: number[] = [];
    const reopened: number[] = [];
    let resolvedCount = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.flags[i] & FLAG_GONE) continue;
      const c = localDayOf(this.created[i]);
      created[i] = c;
      if (c < firstDay) firstDay = c;
      if (c > lastDay) lastDay = c;
      const r = this.resolved[i];
      resolved[i] = r ? localDayOf(r) : -1;
      if (r) {
        resolvedCount++;
        if (resolved[i] < firstDay) firstDay = resolved[i];
        if (resolved[i] > lastDay) lastDay = resolved[i];
      }
      if (OPEN_MASK[this.status[i]]) open.push(i);
      if (this.reopened[i]) reopened.push(i);
    }
    if (firstDay === Infinity) firstDay = lastDay = 0;
    const sortByDay = (day: Int32Array, count: number): DayOrder => {
      const days = lastDay - firstDay + 1;
      const start = new Int32Array(days + 1);
      for (let i = 0; i < this.size; i++) if (day[i] >= firstDay && !(this.flags[i] & FLAG_GONE)) start[day[i] - firstDay + 1]++;
      for (let d = 0; d < days; d++) start[d + 1] += start[d];
      const slots = new Int32Array(count);
      const next = start.slice(0, days);
      for (let i = 0; i < this.size; i++) if (day[i] >= firstDay && !(this.flags[i] & FLAG_GONE)) slots[next[day[i] - firstDay]++] = i;
      return { firstDay, start, slots };
    };
    let live = 0;
    for (let i = 0; i < this.size; i++) if (!(this.flags[i] & FLAG_GONE)) live++;
    return {
      version: this.version,
      byCreated: sortByDay(created, live),
      byResolved: sortByDay(resolved, resolvedCount),
      open: Int32Array.from(open),
      reopened: Int32Array.from(reopened),
    };
  }

  #remembered = new Map<string, unknown>();
  #rememberedVersion = 0;
  /**
   * An answer computed from this version of the data, shared until the data
   * changes: ten walls showing the same view cost one computation.
   */
  remember<T>(key: string, compute: () => T): T {
    if (this.#rememberedVersion !== this.version) {
      this.#remembered.clear();
      this.#rememberedVersion = this.version;
    }
    if (this.#remembered.has(key)) return this.#remembered.get(key) as T;
    const value = compute();
    // Bounded: a viewer paging through windows should not grow it without end.
    if (this.#remembered.size >= REMEMBERED_ANSWERS) this.#remembered.delete(this.#remembered.keys().next().value!);
    this.#remembered.set(key, value);
    return value;
  }

  isHeld(i: number) {
    return (this.flags[i] & FLAG_HELD) !== 0;
  }
  isRated(i: number) {
    return (this.flags[i] & FLAG_RATED) !== 0;
  }
  isSatisfied(i: number) {
    return (this.flags[i] & FLAG_SATISFIED) !== 0;
  }
  isOpen(i: number) {
    return OPEN_MASK[this.status[i]];
  }

  /**
   * The filter's area, field, status and unit conditions as a test per slot;
   * held reports never pass. The window is not part of it: which reports a
   * figure counts in the window depends on the figure.
   */
  matcher(f: StatsFilter): (i: number) => boolean {
    const fields = f.fields?.length ? new Set(f.fields.map((c) => this.#fieldIndex.get(c) ?? -1)) : undefined;
    const statuses = f.statuses?.length ? REPORT_STATUSES.map((s) => f.statuses!.includes(s)) : undefined;
    const units = f.unitIds?.length ? new Set(f.unitIds) : undefined;
    const { wardId, districtId } = f;
    return (i) => {
      if (this.flags[i] & (FLAG_HELD | FLAG_GONE)) return false;
      if (wardId !== undefined && this.ward[i] !== wardId) return false;
      if (districtId !== undefined && this.district[i] !== districtId) return false;
      if (fields && !fields.has(this.field[i])) return false;
      if (statuses && !statuses[this.status[i]]) return false;
      if (units && !units.has(this.unit[i])) return false;
      return true;
    };
  }
}

/** Slots ordered by a local day: those of day d are slots[start[d − firstDay] … start[d − firstDay + 1]). */
export interface DayOrder {
  firstDay: number;
  start: Int32Array;
  slots: Int32Array;
}

/** The slots of days [from, to) in a day order, as a range of its `slots`. */
export function dayRange(order: DayOrder, from: number, to: number): [number, number] {
  const last = order.start.length - 1;
  const at = (day: number) => order.start[Math.max(0, Math.min(last, day - order.firstDay))];
  return [at(from), at(to)];
}

export interface StoreIndex {
  version: number;
  byCreated: DayOrder;
  byResolved: DayOrder;
  open: Int32Array;
  reopened: Int32Array;
}

const stores = new WeakMap<Kysely<Database>, Promise<StatsStore>>();

/** The store for a database, loaded on first use and refreshed on every call. */
export async function statsStore(db: Kysely<Database>): Promise<StatsStore> {
  let loading = stores.get(db);
  if (!loading) {
    loading = StatsStore.load(db);
    stores.set(db, loading);
    // A failed load (database down at boot) is retried by the next caller.
    loading.catch(() => stores.delete(db));
    return loading;
  }
  const store = await loading;
  await store.refresh(db);
  return store;
}

/** The status of slot i. */
export const statusOf = (store: StatsStore, i: number): ReportStatus => REPORT_STATUSES[store.status[i]];
