import type { ReportStatus } from '../db/database.js';

export type SlaState = 'on_track' | 'due_soon' | 'overdue' | 'late_3x' | 'met' | 'missed' | 'none';

const STOPPED: readonly ReportStatus[] = ['resolved', 'closed', 'rejected', 'merged', 'withdrawn'];

/**
 * Deadline state of a report. Open reports: on_track, due_soon (< 20% of the
 * allotted time left), overdue, late_3x (elapsed > 3× allotted). Finished
 * reports: met or missed by their resolution time; rejected/merged/withdrawn: none.
 */
export function slaState(
  report: { status: ReportStatus; created_at: Date; due_at: Date | null; resolved_at: Date | null },
  now: Date,
): SlaState {
  if (!report.due_at) return 'none';
  if (STOPPED.includes(report.status)) {
    if (!report.resolved_at) return 'none';
    return report.resolved_at <= report.due_at ? 'met' : 'missed';
  }
  const allotted = report.due_at.getTime() - report.created_at.getTime();
  const elapsed = now.getTime() - report.created_at.getTime();
  if (now > report.due_at) return elapsed > 3 * allotted ? 'late_3x' : 'overdue';
  return report.due_at.getTime() - now.getTime() < 0.2 * allotted ? 'due_soon' : 'on_track';
}
