import { OPEN_STATUSES, type ReportStatus } from '../domain/statuses.js';
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

/**
 * Each staff action: the statuses it may start from and the status it
 * leads to (none: the status stays). Every from → to here is an edge of
 * TRANSITIONS (tests/unit/workflow.test.ts holds them together); what the
 * back office offers and what the API accepts are both read from this table.
 */
export const STAFF_ACTION_STEPS = {
  verify: { from: ['received'], to: 'verified' },
  reject: { from: ['received', 'verified'], to: 'rejected' },
  classify: { from: OPEN_STATUSES, to: undefined },
  assign: { from: OPEN_STATUSES, to: 'assigned' },
  accept: { from: ['assigned', 'reopened'], to: 'in_progress' },
  decline: { from: ['assigned'], to: 'verified' },
  progress: { from: ['assigned', 'in_progress', 'reopened'], to: undefined },
  respond: { from: ['assigned', 'in_progress', 'reopened'], to: undefined },
  resolve: { from: ['in_progress', 'reopened'], to: 'resolved' },
  merge: { from: OPEN_STATUSES, to: 'merged' },
  set_deadline: { from: OPEN_STATUSES, to: undefined },
} as const satisfies Record<string, { from: readonly ReportStatus[]; to: ReportStatus | undefined }>;
export type StaffActionName = keyof typeof STAFF_ACTION_STEPS;

/** Whether the report's status admits the staff action. */
export function stepAllows(action: StaffActionName, status: ReportStatus): boolean {
  return (STAFF_ACTION_STEPS[action].from as readonly ReportStatus[]).includes(status);
}

export function canTransition(from: ReportStatus, to: ReportStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws 409 listing what is allowed from here when from → to is forbidden. */
export function assertTransition(from: ReportStatus, to: ReportStatus): void {
  if (canTransition(from, to)) return;
  const allowed = TRANSITIONS[from];
  throw new DomainError('invalid_transition', `A report that is ${from} cannot become ${to}. Allowed: ${allowed.length ? allowed.join(', ') : 'none'}.`,
    { status: `Allowed from ${from}: ${allowed.join(', ') || 'none'}` },
  );
}

/** A resolved report may be reopened once, and only within this many days of its resolution. */
export const REOPEN_WINDOW_DAYS = 7;

/** Throws 409 when a reopen would break the "once, within 7 days" rule. */
export function assertReopenAllowed(r: { reopen_count: number; resolved_at: Date | null }, now: Date): void {
  if (r.reopen_count > 0) {
    throw new DomainError('invalid_transition', 'This report has been reopened once already; it cannot be reopened again.', {
      status: 'A report is reopened at most once',
    });
  }
  if (r.resolved_at === null || now.getTime() - r.resolved_at.getTime() > REOPEN_WINDOW_DAYS * 86_400_000) {
    throw new DomainError('invalid_transition', `A report can be reopened only within ${REOPEN_WINDOW_DAYS} days of its resolution.`, {
      status: `Reopening is possible for ${REOPEN_WINDOW_DAYS} days after the resolution`,
    });
  }
}
