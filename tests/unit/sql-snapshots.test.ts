import path from 'node:path';
import {
  Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult,
} from 'kysely';
import { format } from 'sql-formatter';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { listExportBatch } from '../../server/db/export.repo.js';
import { listOpen311Requests } from '../../server/db/open311.repo.js';
import { countPublicReports, findNearbyOpenReports, listPublicReports, updateReport } from '../../server/db/reports.repo.js';
import { countHeldForReview, listStaffReports, lockStaffReport } from '../../server/db/staff-reports.repo.js';
import {
  selectChangedStoreRows, selectFineHexCells, selectPoints, selectStoreRows, selectWorstOverdue, type StatsFilter,
} from '../../server/db/stats.repo.js';
import { OPEN_STATUSES } from '../../server/domain/statuses.js';

/**
 * The SQL of the queries that matter most (statistics, the map, the staff
 * workflow, Open311 and exports), as the query builder writes it, kept in
 * server/queries/*.sql. A change to a query, or to a helper it shares,
 * shows in the diff of those files; `npx vitest run --project unit -u`
 * rewrites them after a deliberate change. Nothing runs against a database:
 * a driver records what would be sent and answers with no rows.
 */
class RecordingConnection implements DatabaseConnection {
  constructor(private readonly sink: CompiledQuery[]) {}
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    this.sink.push(query);
    return { rows: [] };
  }
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    this.sink.push(query);
  }
}

class RecordingDriver implements Driver {
  constructor(private readonly sink: CompiledQuery[]) {}
  async init() {}
  async acquireConnection() {
    return new RecordingConnection(this.sink);
  }
  async beginTransaction() {}
  async commitTransaction() {}
  async rollbackTransaction() {}
  async releaseConnection() {}
  async destroy() {}
}

/** The SQL one call sends, formatted; calls that expect a row fail after sending, which is all this needs. */
async function recorded(run: (db: Kysely<Database>) => Promise<unknown>): Promise<string> {
  const sink: CompiledQuery[] = [];
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new RecordingDriver(sink),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  await run(db).catch(() => undefined);
  return sink.map((q) => `${format(q.sql, { language: 'postgresql', keywordCase: 'lower' })};\n`).join('\n');
}

const NOW = new Date('2026-06-15T03:00:00Z');
const FILTER: StatsFilter = { from: '2026-05-01', to: '2026-06-01', districtId: 7, fields: ['road', 'lighting'], statuses: ['received', 'assigned'], unitIds: [3] };
const BBOX: [number, number, number, number] = [107.9, 12.6, 108.1, 12.8];
const OFFICER = { allUnits: false, unitId: 3, held: false };

const QUERIES: Record<string, (db: Kysely<Database>) => Promise<unknown>> = {
  'stats-store-load': (db) => selectStoreRows(db, { created: '2026-06-01 10:00:00.123456+00', id: 42 }, 50_000),
  'stats-store-changes': (db) => selectChangedStoreRows(db, '1234'),
  'stats-hex-cells-r9': (db) => selectFineHexCells(db, 9, BBOX, FILTER, NOW),
  'stats-worst-overdue': (db) => selectWorstOverdue(db, FILTER, NOW, 20),
  'stats-points': (db) => selectPoints(db, BBOX, FILTER, NOW, 50_000),
  'map-list-public-reports': (db) => listPublicReports(db, { bbox: BBOX, fields: ['road'], after: { createdAt: NOW, id: '42' }, limit: 200 }),
  'map-count-public-reports': (db) => countPublicReports(db, { bbox: BBOX, statuses: ['received'] }),
  'map-nearby-open-reports': (db) => findNearbyOpenReports(db, {
    lon: 108.03, lat: 12.66, fieldCode: 'road', radiusM: 150, since: NOW, openStatuses: OPEN_STATUSES, limit: 20,
  }),
  'workflow-lock-report': (db) => db.transaction().execute((trx) => lockStaffReport(trx, 'AB12CD34')),
  'workflow-update-report': (db) => updateReport(db, '42', { status: 'assigned', unit_id: 3, assigned_at: NOW }),
  'workflow-officer-inbox-overdue': (db) => listStaffReports(db, {
    scope: OFFICER, sla: ['overdue', 'late_3x'], sort: 'due', after: { key: NOW.toISOString(), id: '42' }, limit: 51, now: NOW,
  }),
  'workflow-held-for-review-count': (db) => countHeldForReview(db, { scope: { allUnits: true, unitId: null, held: true }, now: NOW }),
  'open311-list-requests': (db) => listOpen311Requests(db, {
    serviceCodes: ['road'], statuses: OPEN_STATUSES, start: NOW, bbox: BBOX, limit: 1001, after: { createdAt: NOW.toISOString(), id: '42' },
  }),
  'export-batch-officer': (db) => listExportBatch(db, { scope: OFFICER, fields: ['road'], from: NOW }, { createdAt: NOW, id: '42' }, 1000),
};

describe('SQL of the important queries', () => {
  for (const [name, run] of Object.entries(QUERIES)) {
    it(name, async () => {
      const text = await recorded(run);
      expect(text, `${name} sent no query`).not.toBe('');
      await expect(`-- ${name}: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.\n\n${text}`)
        .toMatchFileSnapshot(path.resolve('server/queries', `${name}.sql`));
    });
  }
});
