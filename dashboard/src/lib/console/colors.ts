import { hexToRgba, STATUS_COLORS } from '../citizen/status.js';

/**
 * Colours of the console and the wall, shared by the map layers, legends and
 * charts so they never disagree. Built for a dark video-wall background.
 */

export { STATUS_COLORS, hexToRgba };

/** Statuses in handling order, as the console lists and charts them. */
export const CONSOLE_STATUSES = ['received', 'verified', 'assigned', 'in_progress', 'reopened', 'resolved', 'closed', 'rejected'] as const;

/** Deadline states in the binary points (index = the byte the server sends). */
export const DEADLINE_STATES = ['none', 'on_track', 'due_soon', 'overdue', 'late_3x'] as const;
export type DeadlineState = (typeof DEADLINE_STATES)[number];

/** The ring around a point: absent when no deadline applies, then green → amber → red → magenta. */
export const DEADLINE_COLORS: Record<DeadlineState, string> = {
  none: '#0b1220',
  on_track: '#4ade80',
  due_soon: '#facc15',
  overdue: '#f87171',
  late_3x: '#e879f9',
};

/** Sequential ramp (low → high) for counts and shares: dark teal to hot yellow, readable on navy. */
export const HEAT_RAMP = ['#1e3a5f', '#23608a', '#1f8fa8', '#3fbf9f', '#a3d977', '#f4e04d', '#fb8b3c', '#ef4444'] as const;
/** Diverging ramp for "higher is better" metrics (on-time %, satisfaction): red → amber → green. */
export const GOOD_RAMP = ['#b91c1c', '#ea580c', '#f59e0b', '#facc15', '#a3e635', '#4ade80', '#16a34a'] as const;


/** Picks a colour from a ramp for t in [0, 1]. */
export function rampColor(ramp: readonly string[], t: number): string {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0));
  return ramp[Math.min(ramp.length - 1, Math.floor(clamped * ramp.length))];
}

export function rgba(hex: string, alpha = 255): [number, number, number, number] {
  return hexToRgba(hex, alpha);
}
