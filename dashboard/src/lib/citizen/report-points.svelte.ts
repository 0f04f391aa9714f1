import { fetchReportPage, type ReportFeature } from '../api.js';
import type { MapView } from './view.js';

type Bbox = [number, number, number, number];

/** Hex view needs every report in the province; the point view only those on screen. */
const MAX_PAGES = { hexes: 10, points: 3 } as const;

function padded([w, s, e, n]: Bbox, share: number): Bbox {
  const dx = (e - w) * share;
  const dy = (n - s) * share;
  return [Math.max(-180, w - dx), Math.max(-85, s - dy), Math.min(180, e + dx), Math.min(85, n + dy)];
}

const contains = (outer: Bbox, inner: Bbox) => outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];

/**
 * Public reports for the map's view: fetched for a padded box so small pans
 * need nothing new, paged with next_cursor only while needed, and with stale
 * requests aborted when the view or the filters change.
 */
export class ReportPoints {
  features = $state.raw<ReportFeature[]>([]);
  /** True when the box held more reports than were fetched. */
  truncated = $state(false);
  loading = $state(false);
  failed = $state(false);

  private covered: { bbox: Bbox; key: string; mode: 'hexes' | 'points' } | undefined;
  private request: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Asks for the reports of a view; rapid calls collapse into the last one. */
  update(view: MapView, filters: { fields: string[]; statuses: string[]; key: string }, mode: 'hexes' | 'points') {
    const c = this.covered;
    // Everything for this box is already here (and complete): nothing to fetch.
    if (c && c.key === filters.key && contains(c.bbox, view.bounds) && (!this.truncated || c.mode === mode)) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.load(padded(view.bounds, 0.25), filters, mode), 200);
  }

  private async load(bbox: Bbox, filters: { fields: string[]; statuses: string[]; key: string }, mode: 'hexes' | 'points') {
    this.request?.abort();
    const request = (this.request = new AbortController());
    this.loading = true;
    try {
      const features: ReportFeature[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await fetchReportPage({ bbox, fields: filters.fields, statuses: filters.statuses, cursor }, request.signal);
        features.push(...page.features);
        cursor = page.next_cursor ?? undefined;
        pages++;
      } while (cursor && pages < MAX_PAGES[mode]);
      this.features = features;
      this.truncated = cursor !== undefined;
      this.covered = { bbox, key: filters.key, mode };
      this.failed = false;
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      console.error(error);
      this.failed = true;
      this.covered = undefined;
    } finally {
      if (this.request === request) this.loading = false;
    }
  }

  dispose() {
    clearTimeout(this.timer);
    this.request?.abort();
  }
}
