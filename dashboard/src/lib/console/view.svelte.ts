import { parseLatLon } from '../planning/api.js';
import { router } from '../router.svelte.js';
import type { StatsFilters } from './client.js';

/**
 * What the console shows, read from and written to the URL, which is the
 * source of truth: a link reproduces the view and the back button walks it.
 * Drilling and filtering add history entries; panning only replaces the
 * current one (otherwise "back" would replay every drag).
 */

export const HEX_METRICS = ['count', 'overdue_share', 'median_hours'] as const;
export type HexMetric = (typeof HEX_METRICS)[number];
export const AREA_METRICS = ['backlog', 'on_time', 'median_hours', 'satisfaction'] as const;
export type AreaMetric = (typeof AREA_METRICS)[number];
export const LAYERS = ['points', 'hexes', 'areas', 'planning'] as const;
export type LayerId = (typeof LAYERS)[number];
export const RANGES = ['7', '30', '90', '365'] as const;
export const DEFAULT_RANGE = '30';

export interface MapPosition {
  lon: number;
  lat: number;
  zoom: number;
}

const list = (value: string | null) => (value ? value.split(',').filter(Boolean) : []);
const DAY = 86_400_000;

/** Today's date in Vietnam (UTC+7, no daylight saving), as YYYY-MM-DD. */
export function vnToday(now = Date.now()): string {
  return new Date(now + 7 * 3_600_000).toISOString().slice(0, 10);
}
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

export function parsePosition(value: string | null): MapPosition | null {
  if (!value) return null;
  const [lon, lat, zoom] = value.split(',').map(Number);
  if (![lon, lat, zoom].every(Number.isFinite)) return null;
  return { lon, lat, zoom };
}

export class ConsoleView {
  /**
   * Vietnam's date, kept current by the page (see ConsolePage's clock): a wall
   * left on overnight moves its window at midnight instead of counting
   * yesterday's until someone reloads it.
   */
  today = $state(vnToday());
  /** '' is the whole province; 3 digits a former district; 5 digits a ward. */
  area = $derived(router.query.get('area') ?? '');
  statuses = $derived(list(router.query.get('status')));
  fields = $derived(list(router.query.get('field')));
  units = $derived(list(router.query.get('unit')).map(Number).filter((n) => Number.isInteger(n) && n > 0));
  /** A preset (days back, today included) unless an explicit from/to is set. */
  range = $derived(router.query.get('range') ?? (router.query.get('from') ? 'custom' : DEFAULT_RANGE));
  customFrom = $derived(router.query.get('from') ?? '');
  customTo = $derived(router.query.get('to') ?? '');
  layers = $derived.by(() => {
    const value = router.query.get('layers');
    const chosen = value === null ? ['points', 'areas'] : list(value);
    return new Set(chosen.filter((l): l is LayerId => (LAYERS as readonly string[]).includes(l)));
  });
  hexMetric = $derived<HexMetric>(pick(router.query.get('hex'), HEX_METRICS, 'count'));
  areaMetric = $derived<AreaMetric>(pick(router.query.get('metric'), AREA_METRICS, 'backlog'));
  position = $derived(parsePosition(router.query.get('c')));
  selectedReport = $derived(router.query.get('report'));
  /** The spot whose planning zones are on the card ("lat,lon"), like /planning's shared links. */
  selectedZone = $derived(parseLatLon(router.query.get('zone') ?? ''));

  level = $derived<'province' | 'district' | 'ward'>(this.area.length === 5 ? 'ward' : this.area.length === 3 ? 'district' : 'province');

  /** The window as the API takes it; `to` exclusive. */
  window = $derived.by(() => {
    if (this.range === 'custom' && this.customFrom && this.customTo) {
      return { from: this.customFrom, to: addDays(this.customTo, 1) };
    }
    const days = Number(this.range) || Number(DEFAULT_RANGE);
    const to = addDays(this.today, 1);
    return { from: addDays(to, -days), to };
  });

  filters = $derived<StatsFilters>({
    area: this.area || undefined,
    status: this.statuses,
    field: this.fields,
    unit: this.units,
    from: this.window.from,
    to: this.window.to,
  });

  /** The filters without the area: the key for anything fetched per area level. */
  filterKey = $derived(JSON.stringify({ ...this.filters, area: undefined }));

  /** Changes the view with a new history entry (back returns to the previous one). */
  push(params: Record<string, string | null>) {
    router.navigate(this.href(params));
  }

  /** Changes the view in place: for map moves, which would flood the history. */
  replace(params: Record<string, string | null>) {
    router.navigate(this.href(params), { replace: true });
  }

  href(params: Record<string, string | null>): string {
    const next = new URLSearchParams(router.search);
    for (const [key, value] of Object.entries(params)) {
      if (value === null || value === '') next.delete(key);
      else next.set(key, value);
    }
    const search = next.toString();
    return `${router.path}${search ? `?${search}` : ''}`;
  }

  selectArea(code: string) {
    // A new area brings its own framing: drop the old map position and selected item.
    this.push({ area: code || null, c: null, report: null, zone: null });
  }

  /** The report and the zone share one card slot, so choosing one drops the other. */
  selectReport(code: string | null) {
    this.push({ report: code, zone: null });
  }

  selectZone(spot: { lat: number; lon: number } | null) {
    this.push({ zone: spot ? `${spot.lat.toFixed(6)},${spot.lon.toFixed(6)}` : null, report: null });
  }

  toggleLayer(layer: LayerId) {
    const next = new Set(this.layers);
    if (next.has(layer)) next.delete(layer);
    else next.add(layer);
    this.push({ layers: LAYERS.filter((l) => next.has(l)).join(',') || 'none' });
  }

  toggleIn(key: 'status' | 'field' | 'unit', value: string) {
    const current = key === 'status' ? this.statuses : key === 'field' ? this.fields : this.units.map(String);
    const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
    this.push({ [key]: next.join(',') || null });
  }

  setPosition(p: MapPosition) {
    this.replace({ c: `${p.lon.toFixed(5)},${p.lat.toFixed(5)},${p.zoom.toFixed(2)}` });
  }
}

function pick<T extends string>(value: string | null, options: readonly T[], fallback: T): T {
  return value && (options as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** H3 resolution for a map zoom: 5 across the province, 9 inside a ward. */
export function hexResolutionForZoom(zoom: number): number {
  if (zoom <= 8) return 5;
  if (zoom <= 9.5) return 6;
  if (zoom <= 11) return 7;
  if (zoom <= 12.5) return 8;
  return 9;
}

/** One step of the drill-down breadcrumb. */
export interface Crumb {
  code: string;
  name: string;
}
