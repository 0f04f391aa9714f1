import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';

export interface LiveEvent {
  id: string;
  type: string;
  code: string;
  status: string;
  field: string;
  lat: number;
  lon: number;
  ward_code: string;
  district_code: string;
  at: string;
}

type Listener = (e: LiveEvent) => void;

/**
 * Fans new outbox events out to server-sent-event subscribers. It tails the
 * outbox table rather than an in-process emitter, so every API replica sees
 * changes made through any other. Polls only while someone listens.
 * Held reports (needs_review) stay out: the wall shows them once a
 * dispatcher releases them, with the event of that release.
 */
export class LiveEvents {
  #listeners = new Set<Listener>();
  #timer: NodeJS.Timeout | undefined;
  #lastId: string | undefined;
  #polling = false;

  constructor(private readonly db: Kysely<Database>, private readonly logger: Logger, private readonly intervalMs = 1000) {}

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.#poll(), this.intervalMs);
      this.#timer.unref();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#timer) {
        clearInterval(this.#timer);
        this.#timer = undefined;
        this.#lastId = undefined;
      }
    };
  }

  async #poll() {
    if (this.#polling) return;
    this.#polling = true;
    try {
      if (this.#lastId === undefined) {
        const { rows } = await sql<{ id: string | null }>`select max(id)::text as id from outbox`.execute(this.db);
        this.#lastId = rows[0].id ?? '0';
        return;
      }
      // Held rows are read and skipped rather than filtered in SQL, so the position still moves past them.
      const { rows } = await sql<LiveEvent & { oid: string; at: Date; needs_review?: boolean }>`
        select o.id::text as oid, o.event_id as id, o.type, r.code, r.status, r.field_code as field,
               ST_Y(r.geom) as lat, ST_X(r.geom) as lon, w.code as ward_code, d.code as district_code, o.created_at as at,
               r.needs_review
        from outbox o join reports r on r.id = o.report_id
        join admin_areas w on w.id = r.ward_id join admin_areas d on d.id = r.district_id
        where o.id > ${this.#lastId}::bigint order by o.id limit 500`.execute(this.db);
      for (const row of rows) {
        this.#lastId = row.oid;
        if (row.needs_review) continue;
        const event: LiveEvent = { ...row, at: row.at.toISOString() };
        delete (event as Partial<typeof row>).oid;
        delete (event as Partial<typeof row>).needs_review;
        for (const l of this.#listeners) l(event);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'live events poll failed');
    } finally {
      this.#polling = false;
    }
  }
}
