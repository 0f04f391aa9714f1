import type { ReportScope } from '../db/staff-reports.repo.js';
import type { StaffContext } from './auth.js';

export type { ReportScope };

/**
 * What a staff member may see of reports: the one place that says it.
 * Lists apply the scope in SQL (scopeSql in db/staff-reports.repo.ts);
 * single-report reads and actions call reportAccess(). A report outside
 * the scope does not exist for that person: the API answers 404, with the
 * same body as for a code nobody issued.
 *
 * - admins and dispatchers: every report, held ones included, with contact details;
 * - leaders: every report that is not held, never contact details;
 * - officers: their unit's reports that are not held, with contact details;
 *   plus reports their unit held before a transfer or decline, without
 *   contact details and without the internal notes and audit rows written
 *   while the report was with another unit.
 */
export function reportScope(staff: StaffContext): ReportScope {
  switch (staff.role) {
    case 'admin':
    case 'dispatcher':
      return { allUnits: true, unitId: null, held: true };
    case 'leader':
      return { allUnits: true, unitId: null, held: false };
    case 'officer':
      return { allUnits: false, unitId: staff.unitId, held: false };
  }
}

export interface ReportAccess {
  /** Reporter name (even when public), phone, e-mail and the sending client. */
  contact: boolean;
  /** Internal timeline events and audit rows; false: public events and those written while the report was with the viewer's unit. */
  internal: boolean;
}

/** The facts about one report the decision needs. */
export interface ReportFacts {
  unit_id: number | null;
  needs_review: boolean;
  /** Whether the viewer's unit held the report at some earlier point (a timeline event carries it). */
  formerlyOwnUnit: boolean;
}

/** What this staff member may see of this report; undefined when it must not exist for them. */
export function reportAccess(staff: StaffContext, r: ReportFacts): ReportAccess | undefined {
  const scope = reportScope(staff);
  if (r.needs_review && !scope.held) return undefined;
  if (scope.allUnits) return { contact: staff.role !== 'leader', internal: true };
  if (scope.unitId === null) return undefined;
  if (r.unit_id === scope.unitId) return { contact: true, internal: true };
  if (r.formerlyOwnUnit) return { contact: false, internal: false };
  return undefined;
}

/** Whether answering needs to know if the viewer's unit held the report before (only officers' answers depend on it). */
export const needsUnitHistory = (staff: StaffContext, r: { unit_id: number | null }) =>
  staff.role === 'officer' && staff.unitId !== null && r.unit_id !== staff.unitId;
