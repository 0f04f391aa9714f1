import { sql, type Kysely, type Transaction } from 'kysely';
import { h3CellsForPoint, type H3Cells } from '../../spatial/h3-cells.js';
import type { Database } from './database.js';

/**
 * One-time corrections of existing rows that SQL alone cannot compute (H3
 * has no SQL implementation on either engine). A migration asks for one by
 * inserting its name into pending_data_fixes (sql/0014); migrate() then runs
 * it here, after the SQL migrations.
 *
 * A fix is a batch function: it handles the rows with id > afterId, at most
 * `limit` of them, and returns the last id it looked at, or null when none
 * are left. Each batch commits together with that id in the pending row, so
 * a run that stops (crash, deploy) resumes where it was, and the row is
 * deleted with the last batch. A fix must give the same result when a batch
 * runs twice: only rows that are still wrong are written.
 */
type DataFix = (trx: Transaction<Database>, afterId: string, limit: number) => Promise<string | null>;

export const DATA_FIXES: Record<string, DataFix> = {
  h3_cells_per_resolution: fixH3Cells,
};

// Large enough to keep the number of transactions low on 10M reports, small
// enough that one batch holds its row locks briefly.
export const DATA_FIX_BATCH = 5000;

/** Runs every pending data fix to the end; returns the names of those this call finished. */
export async function runPendingDataFixes(db: Kysely<Database>, limit = DATA_FIX_BATCH): Promise<string[]> {
  const pending = await db.selectFrom('pending_data_fixes').select('name').orderBy('name').execute();
  const finished: string[] = [];
  for (const { name } of pending) {
    const fix = DATA_FIXES[name];
    if (!fix) throw new Error(`pending_data_fixes names "${name}", but no data fix is registered under that name in server/db/data-fixes.ts`);
    for (let done = false; !done;) {
      done = await db.transaction().execute(async (trx) => {
        // Locked and read again in every batch: a second process migrating at
        // the same time waits here and then goes on from where this one got,
        // instead of repeating its work.
        const cursor = await trx.selectFrom('pending_data_fixes').select('after_id').where('name', '=', name).forUpdate().executeTakeFirst();
        if (!cursor) return true;
        const last = await fix(trx, cursor.after_id, limit);
        if (last === null) {
          await trx.deleteFrom('pending_data_fixes').where('name', '=', name).execute();
          finished.push(name);
          return true;
        }
        await trx.updateTable('pending_data_fixes').set({ after_id: last }).where('name', '=', name).execute();
        return false;
      });
    }
  }
  return finished;
}

const H3_COLUMNS = ['h3_r5', 'h3_r6', 'h3_r7', 'h3_r8', 'h3_r9'] as const;

/** sql/0014: recomputes each report's H3 cells from its point, one resolution at a time. */
async function fixH3Cells(trx: Transaction<Database>, afterId: string, limit: number): Promise<string | null> {
  const { rows } = await sql<{ id: string; lon: number; lat: number } & H3Cells>`
    select r.id, ST_X(r.geom) as lon, ST_Y(r.geom) as lat, r.h3_r5, r.h3_r6, r.h3_r7, r.h3_r8, r.h3_r9
    from reports r where r.id > ${afterId}::bigint order by r.id limit ${limit}`.execute(trx);
  if (!rows.length) return null;
  const wrong = rows.flatMap((r) => {
    const cells = h3CellsForPoint([r.lon, r.lat]);
    return H3_COLUMNS.some((c) => cells[c] !== String(r[c])) ? [{ id: r.id, ...cells }] : [];
  });
  if (wrong.length) {
    // Each column as one comma-separated parameter: six parameters per batch
    // whatever its size (the embedded engine allows 32,767 in a statement).
    const list = (key: 'id' | (typeof H3_COLUMNS)[number]) => sql`string_to_array(${wrong.map((w) => w[key]).join(',')}, ',')::bigint[]`;
    await sql`
      update reports as r
      set h3_r5 = v.h3_r5, h3_r6 = v.h3_r6, h3_r7 = v.h3_r7, h3_r8 = v.h3_r8, h3_r9 = v.h3_r9
      from unnest(${list('id')}, ${list('h3_r5')}, ${list('h3_r6')}, ${list('h3_r7')}, ${list('h3_r8')}, ${list('h3_r9')})
        as v(id, h3_r5, h3_r6, h3_r7, h3_r8, h3_r9)
      where r.id = v.id`.execute(trx);
  }
  return rows[rows.length - 1].id;
}
