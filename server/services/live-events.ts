import type { Kysely } from 'kysely';
import { latestOutboxId, listOutboxEventsAfter } from '../db/outbox.repo.js';
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
        this.#lastId = await latestOutboxId(this.db);
        return;
      }
      // Held rows are read and skipped rather than filtered in SQL, so the position still moves past them.
      const rows = await listOutboxEventsAfter(this.db, this.#lastId, 500);
      for (const { oid, needs_review: held, at, ...row } of rows) {
        this.#lastId = oid;
        if (held) continue;
        const event: LiveEvent = { ...row, at: at.toISOString() };
        for (const l of this.#listeners) l(event);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'live events poll failed');
    } finally {
      this.#polling = false;
    }
  }
}
