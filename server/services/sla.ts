import { DUE_SOON_SHARE, isFinished, LATE_FACTOR, type ReportStatus, type SlaState } from '../domain/statuses.js';

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
  if (isFinished(report.status)) {
    if (!report.resolved_at) return 'none';
    return report.resolved_at <= report.due_at ? 'met' : 'missed';
  }
  const allotted = report.due_at.getTime() - report.created_at.getTime();
  const elapsed = now.getTime() - report.created_at.getTime();
  if (now > report.due_at) return elapsed > LATE_FACTOR * allotted ? 'late_3x' : 'overdue';
  return report.due_at.getTime() - now.getTime() < DUE_SOON_SHARE * allotted ? 'due_soon' : 'on_track';
}
