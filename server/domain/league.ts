/** The figures of a league row whose cases can be listed (GET /api/league/cases?measure=). */
export const LEAGUE_MEASURES = ['received', 'resolved', 'on_time', 'late', 'no_deadline', 'reopened'] as const;
export type LeagueMeasure = (typeof LEAGUE_MEASURES)[number];

/** Below this many cases a rate is shown as "not enough data" and a group is not ranked. */
export const MIN_SAMPLE = 20;
