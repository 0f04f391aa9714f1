import { router } from '../router.svelte.js';
import { isMapStatus, type MapStatus } from './status.js';

const list = (value: string | null) => (value ? value.split(',').filter(Boolean) : []);

/**
 * Filters of the public map, read from and written to the URL, so a link
 * shows the same reports and the back button undoes a filter change.
 */
export class MapFilters {
  fields = $derived(list(router.query.get('field')).filter((f) => /^[a-z][a-z0-9_]{1,31}$/.test(f)));
  statuses = $derived<MapStatus[]>(list(router.query.get('status')).filter(isMapStatus));
  /** The report whose card is open. */
  selected = $derived(router.query.get('report'));
  /** Identifies the filter combination; a change means new data. */
  key = $derived(`${this.fields.join(',')}|${this.statuses.join(',')}`);

  private push(params: Record<string, string | null>) {
    const next = new URLSearchParams(router.search);
    for (const [k, v] of Object.entries(params)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    const search = next.toString();
    router.navigate(`${router.path}${search ? `?${search}` : ''}`);
  }

  toggleField(code: string) {
    const next = this.fields.includes(code) ? this.fields.filter((f) => f !== code) : [...this.fields, code];
    this.push({ field: next.join(','), report: null });
  }

  toggleStatus(status: MapStatus) {
    const next = this.statuses.includes(status) ? this.statuses.filter((s) => s !== status) : [...this.statuses, status];
    this.push({ status: next.join(','), report: null });
  }

  clear() {
    this.push({ field: null, status: null, report: null });
  }

  select(code: string | null) {
    this.push({ report: code });
  }

  /** The view goes in the URL too, but without a history entry per pan. */
  setView(center: [number, number], zoom: number) {
    router.setQuery({ at: `${center[1].toFixed(5)},${center[0].toFixed(5)},${zoom.toFixed(2)}` });
  }

  /** The view a shared link asks for, if any: centre [lng, lat] and zoom. */
  initialView(): { center: [number, number]; zoom: number } | undefined {
    const parts = (router.query.get('at') ?? '').split(',').map(Number);
    if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n))) return undefined;
    const [lat, lng, zoom] = parts;
    if (Math.abs(lat) > 90 || Math.abs(lng) > 180 || zoom < 0 || zoom > 22) return undefined;
    return { center: [lng, lat], zoom };
  }
}
