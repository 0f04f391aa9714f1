import type { ReportStatus } from '../db/database.js';
import { DomainError } from '../errors.js';

/**
 * The report state machine. Every status change anywhere in the server goes
 * through assertTransition, so no path can reach a state the diagram forbids.
 */
export const TRANSITIONS: Record<ReportStatus, readonly ReportStatus[]> = {
  received: ['verified', 'assigned', 'rejected', 'merged', 'withdrawn'],
  verified: ['assigned', 'rejected', 'merged', 'withdrawn'],
  assigned: ['in_progress', 'verified', 'assigned', 'resolved', 'merged', 'withdrawn'],
  in_progress: ['resolved', 'assigned', 'merged', 'withdrawn'],
  resolved: ['closed', 'reopened'],
  reopened: ['assigned', 'in_progress', 'resolved', 'merged'],
  closed: [],
  rejected: [],
  merged: [],
  withdrawn: [],
};

export const OPEN_STATUSES: readonly ReportStatus[] = ['received', 'verified', 'assigned', 'in_progress', 'reopened'];

export function canTransition(from: ReportStatus, to: ReportStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws 409 listing what is allowed from here when from → to is forbidden. */
export function assertTransition(from: ReportStatus, to: ReportStatus): void {
  if (canTransition(from, to)) return;
  const allowed = TRANSITIONS[from];
  throw new DomainError(
    409,
    'invalid_transition',
    `A report that is ${from} cannot become ${to}. Allowed: ${allowed.length ? allowed.join(', ') : 'none'}.`,
    { status: `Allowed from ${from}: ${allowed.join(', ') || 'none'}` },
  );
}

/** A resolved report may be reopened once, and only within this many days of its resolution. */
export const REOPEN_WINDOW_DAYS = 7;

/** Throws 409 when a reopen would break the "once, within 7 days" rule. */
export function assertReopenAllowed(r: { reopen_count: number; resolved_at: Date | null }, now: Date): void {
  if (r.reopen_count > 0) {
    throw new DomainError(409, 'invalid_transition', 'This report has been reopened once already; it cannot be reopened again.', {
      status: 'A report is reopened at most once',
    });
  }
  if (r.resolved_at === null || now.getTime() - r.resolved_at.getTime() > REOPEN_WINDOW_DAYS * 86_400_000) {
    throw new DomainError(409, 'invalid_transition', `A report can be reopened only within ${REOPEN_WINDOW_DAYS} days of its resolution.`, {
      status: `Reopening is possible for ${REOPEN_WINDOW_DAYS} days after the resolution`,
    });
  }
}
