import { sql } from 'kysely';
import type { Db, ReportStatus } from './database.js';
import { open311RequestSelect } from './open311.repo.js';
import { scopeSql, type ReportScope } from './staff-reports.repo.js';

export interface ExportFilters {
  /** Whose export: only the reports this scope may see (services/report-access.ts). */
  scope: ReportScope;
  area?: { level: 'province' | 'district' | 'ward'; id: number };
  fields?: string[];
  statuses?: ReportStatus[];
  unitId?: number;
  from?: Date;
  to?: Date;
}

/**
 * One keyset batch of an export, oldest first on (created_at, id), so a
 * million-row export costs the same per batch as the first. Public columns
 * only: the reporter's name, phone and e-mail are not selected. Held reports
 * are never exported (open311RequestSelect leaves them out): dispatchers
 * review them in the inbox.
 */
export async function listExportBatch(db: Db, f: ExportFilters, after: { createdAt: Date; id: string } | undefined, limit: number) {
  return open311RequestSelect(db)
    .innerJoin('admin_areas as w', 'w.id', 'r.ward_id')
    .innerJoin('admin_areas as d', 'd.id', 'r.district_id')
    .select([
      'r.title', 'r.resolved_at', 'r.closed_at', 'r.follower_count', 'r.source', 'r.unit_id',
      'w.code as ward_code', 'w.name_vi as ward_name', 'd.code as district_code', 'd.name_vi as district_name',
    ])
    .where(scopeSql(f.scope))
    .$if(f.area?.level === 'ward', (qb) => qb.where('r.ward_id', '=', f.area!.id))
    .$if(f.area?.level === 'district', (qb) => qb.where('r.district_id', '=', f.area!.id))
    .$if(!!f.fields?.length, (qb) => qb.where('r.field_code', 'in', f.fields!))
    .$if(!!f.statuses?.length, (qb) => qb.where('r.status', 'in', f.statuses!))
    .$if(f.unitId !== undefined, (qb) => qb.where('r.unit_id', '=', f.unitId!))
    .$if(!!f.from, (qb) => qb.where('r.created_at', '>=', f.from!))
    .$if(!!f.to, (qb) => qb.where('r.created_at', '<', f.to!))
    .$if(!!after, (qb) => qb.where(sql<boolean>`(r.created_at, r.id) > (${after!.createdAt}, ${after!.id}::bigint)`))
    .orderBy('r.created_at')
    .orderBy('r.id')
    .limit(limit)
    .execute();
}

export type ExportRow = Awaited<ReturnType<typeof listExportBatch>>[number];
