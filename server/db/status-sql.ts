import { sql } from 'kysely';
import { DUE_SOON_SHARE, LATE_FACTOR, OPEN_STATUSES, type SlaState } from '../domain/statuses.js';

/**
 * `('received', …)`: the open statuses as SQL literals, not parameters, so
 * the planner can match the partial indexes whose predicate lists them
 * (reports_open_idx in sql/).
 */
export const OPEN_SQL = sql.raw(`(${OPEN_STATUSES.map((s) => `'${s}'`).join(',')})`);

/**
 * The SQL twin of services/sla.ts slaState(), over `reports as r`, for
 * filtering, sorting and the console's points at scale
 * (tests/integration/sla.test.ts holds the two to the same answers).
 */
export function slaSql(now: Date) {
  const late = sql.lit(LATE_FACTOR);
  const soon = sql.lit(DUE_SOON_SHARE);
  return sql<SlaState>`case
    when r.due_at is null then 'none'
    when r.status not in ${OPEN_SQL} then
      case when r.resolved_at is null then 'none' when r.resolved_at <= r.due_at then 'met' else 'missed' end
    when ${now}::timestamptz > r.due_at then
      case when ${now}::timestamptz - r.created_at > ${late} * (r.due_at - r.created_at) then 'late_3x' else 'overdue' end
    when r.due_at - ${now}::timestamptz < ${soon} * (r.due_at - r.created_at) then 'due_soon'
    else 'on_track' end`;
}
