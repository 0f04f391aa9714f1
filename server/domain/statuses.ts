/**
 * The report status vocabulary and its groups: the one place that lists
 * them. Pure (it imports nothing), so every server layer and the dashboard
 * import it rather than restate a list. The state machine over these
 * statuses is server/services/workflow.ts.
 */
export const REPORT_STATUSES = [
  'received', 'verified', 'assigned', 'in_progress', 'resolved',
  'closed', 'rejected', 'reopened', 'merged', 'withdrawn',
] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** Still being handled: they count as open, can be overdue, and staff act on them. */
export const OPEN_STATUSES = ['received', 'verified', 'assigned', 'in_progress', 'reopened'] as const satisfies readonly ReportStatus[];

/** Nothing more is expected from staff: the deadline clock has stopped (Open311 calls them closed). */
export const FINISHED_STATUSES = ['resolved', 'closed', 'rejected', 'merged', 'withdrawn'] as const satisfies readonly ReportStatus[];

/** Never shown to the public on maps, lists or media. */
export const HIDDEN_STATUSES = ['rejected', 'merged', 'withdrawn'] as const satisfies readonly ReportStatus[];

export const isOpen = (status: ReportStatus): boolean => (OPEN_STATUSES as readonly ReportStatus[]).includes(status);
export const isFinished = (status: ReportStatus): boolean => (FINISHED_STATUSES as readonly ReportStatus[]).includes(status);

/** A report's deadline state; decided by server/services/sla.ts (and its SQL twin in db/status-sql.ts). */
export const SLA_STATES = ['on_track', 'due_soon', 'overdue', 'late_3x', 'met', 'missed', 'none'] as const;
export type SlaState = (typeof SLA_STATES)[number];

/** An open report is due soon when less than this share of its allotted time is left. */
export const DUE_SOON_SHARE = 0.2;
/** An overdue report is late_3x once it has taken more than this many times its allotted time. */
export const LATE_FACTOR = 3;
