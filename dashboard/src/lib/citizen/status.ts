import type { ReportStatus } from '../api.js';

/**
 * Colours of the handling statuses, shared by the map's points, its legend and
 * the tracking page's badge so the three never disagree. Picked to stay apart
 * for the common colour-vision deficiencies: hue and lightness both change.
 */
export const STATUS_COLORS: Record<ReportStatus, string> = {
  received: '#64748b',
  verified: '#0284c7',
  assigned: '#7c3aed',
  in_progress: '#d97706',
  resolved: '#16a34a',
  closed: '#115e59',
  reopened: '#dc2626',
  rejected: '#9f1239',
  merged: '#a1a1aa',
  withdrawn: '#94a3b8',
};

/** The statuses the public map can show, in handling order (rejected and hidden reports never reach it). */
export const MAP_STATUSES = ['received', 'verified', 'assigned', 'in_progress', 'resolved', 'closed', 'reopened'] as const satisfies readonly ReportStatus[];
export type MapStatus = (typeof MAP_STATUSES)[number];

/** Statuses in which a report is still being handled. */
export { OPEN_STATUSES } from '../../../../server/domain/statuses.js';

/** Statuses from which the reporter may still withdraw (the server's workflow allows no more). */
export const WITHDRAWABLE_STATUSES: readonly ReportStatus[] = ['received', 'verified', 'assigned', 'in_progress'];

export function isMapStatus(value: string): value is MapStatus {
  return (MAP_STATUSES as readonly string[]).includes(value);
}

/** '#rrggbb' → [r, g, b, alpha] for deck.gl. */
export function hexToRgba(hex: string, alpha = 255): [number, number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, alpha];
}

/** `share` of colour `a` mixed into `b`, channel by channel, as #rrggbb. */
function mixHex(a: string, b: string, share: number): string {
  const [ar, ag, ab] = hexToRgba(a);
  const [br, bg, bb] = hexToRgba(b);
  const channel = (x: number, y: number) => Math.round(x * share + y * (1 - share)).toString(16).padStart(2, '0');
  return `#${channel(ar, br)}${channel(ag, bg)}${channel(ab, bb)}`;
}

/**
 * A status as a chip on the staff pages: a pale tint of its colour behind a dark shade of it, so an
 * officer sees the same hue in the inbox as on the console's map. Every pair reads at 5.5:1 or more.
 */
export const STATUS_CHIP_COLORS = Object.fromEntries(
  Object.entries(STATUS_COLORS).map(([status, color]) => [status, { bg: mixHex(color, '#ffffff', 0.14), fg: mixHex(color, '#000000', 0.6) }]),
) as Record<ReportStatus, { bg: string; fg: string }>;
