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
