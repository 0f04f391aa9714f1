import { fetchAreas, type AreaCollection } from '../api.js';
import { detailZoom } from '../map/detail.js';
import type {
  AgingBucket, AreaStat, Bbox, HexStat, HourWeekday, OverdueReport, StatsClient, StatsFilters, Summary, TimePoint, UnitStat,
} from './client.js';
import { decodePoints, type PointColumns } from './points.js';

const aborted = (e: unknown) => (e as Error)?.name === 'AbortError';

/**
 * One request family that supersedes itself: starting a new load aborts the
 * one still in flight, so a slow answer for old filters never lands on top
 * of a fresh one.
 */
class Latest {
  #controller: AbortController | undefined;
  next(): AbortSignal {
    this.#controller?.abort();
    this.#controller = new AbortController();
    return this.#controller.signal;
  }
  abort() {
    this.#controller?.abort();
  }
}

/** Boundaries for the offline basemap and the drill-down, loaded once per detail level. */
export class Boundaries {
  province = $state.raw<AreaCollection | null>(null);
  districts = $state.raw<AreaCollection | null>(null);
  wards = $state.raw<AreaCollection | null>(null);
  failed = $state(false);
  #loaded = 0;
  #latest = new Latest();

  async load(zoom: number) {
    const wanted = detailZoom(zoom);
    // Finer boundaries only: coarser ones after a zoom-out still look fine.
    if (wanted <= this.#loaded) return;
    const signal = this.#latest.next();
    try {
      const [p, d, w] = await Promise.all([
        fetchAreas('province', wanted, signal),
        fetchAreas('district', wanted, signal),
        fetchAreas('ward', wanted, signal),
      ]);
      this.province = p;
      this.districts = d;
      this.wards = w;
      this.#loaded = wanted;
      this.failed = false;
    } catch (error) {
      if (aborted(error)) return;
      console.error(error);
      if (!this.districts) this.failed = true;
    }
  }

  dispose() {
    this.#latest.abort();
  }
}

/** The figures of every panel for the current area and filters. */
export class PanelData {
  summary = $state.raw<Summary | null>(null);
  timeseries = $state.raw<TimePoint[]>([]);
  hourWeekday = $state.raw<HourWeekday | null>(null);
  units = $state.raw<UnitStat[]>([]);
  aging = $state.raw<AgingBucket[]>([]);
  overdue = $state.raw<OverdueReport[]>([]);
  /** Reports per field, from the summary's breakdown. */
  byField = $state.raw<{ field: string; total: number }[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);
  updatedAt = $state<number | null>(null);
  #latest = new Latest();

  constructor(private readonly client: StatsClient) {}

  async load(f: StatsFilters, opts: { interval: 'day' | 'week'; fields: string[]; overdueLimit: number; charts: boolean }) {
    const signal = this.#latest.next();
    this.loading = true;
    try {
      const c = this.client;
      const [summary, overdue] = await Promise.all([c.summary(f, signal), c.overdue(f, opts.overdueLimit, signal)]);
      this.summary = summary;
      this.overdue = overdue;
      this.updatedAt = Date.now();
      this.error = null;
      if (opts.charts) {
        const fieldCodes = f.field?.length ? f.field : opts.fields;
        const [timeseries, hourWeekday, units, aging] = await Promise.all([
          c.timeseries(opts.interval, f, signal),
          c.hourWeekday(f, signal),
          c.units(f, signal),
          c.aging(f, signal),
        ]);
        const byField = fieldCodes.map((field) => ({ field, total: summary.by_field[field] ?? 0 }));
        this.timeseries = timeseries;
        this.hourWeekday = hourWeekday;
        this.units = units;
        this.aging = aging;
        this.byField = byField.sort((a, b) => b.total - a.total);
      }
    } catch (error) {
      if (aborted(error)) return;
      console.error(error);
      this.error = (error as Error).message;
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }

  dispose() {
    this.#latest.abort();
  }
}

/** Metrics per area for the choropleth: districts of the province, or wards of a district. */
export class AreaData {
  rows = $state.raw<AreaStat[]>([]);
  #latest = new Latest();
  constructor(private readonly client: StatsClient) {}

  async load(level: 'district' | 'ward', parent: string | undefined, f: StatsFilters) {
    const signal = this.#latest.next();
    try {
      this.rows = await this.client.areas(level, parent, f, signal);
    } catch (error) {
      if (!aborted(error)) console.error(error);
    }
  }
  dispose() {
    this.#latest.abort();
  }
}

/** Points (binary) or hexagons for the map's viewport. */
export class MapData {
  points = $state.raw<PointColumns | null>(null);
  /** The server found too many points for this view; the points layer draws hexagons instead. */
  tooMany = $state(false);
  hexes = $state.raw<HexStat[]>([]);
  hexRes = $state(5);
  #points = new Latest();
  #hexes = new Latest();
  constructor(private readonly client: StatsClient) {}

  async loadPoints(bbox: Bbox, f: StatsFilters) {
    const signal = this.#points.next();
    try {
      const answer = await this.client.points(bbox, f, signal);
      if (answer === 'hexes') {
        this.tooMany = true;
        this.points = null;
      } else {
        this.tooMany = false;
        this.points = decodePoints(answer.buffer, answer.statuses);
      }
    } catch (error) {
      if (!aborted(error)) console.error(error);
    }
  }

  async loadHexes(res: number, bbox: Bbox, f: StatsFilters) {
    const signal = this.#hexes.next();
    try {
      this.hexes = await this.client.hexes(res, bbox, f, signal);
      this.hexRes = res;
    } catch (error) {
      if (!aborted(error)) console.error(error);
    }
  }

  clearPoints() {
    this.#points.abort();
    this.points = null;
  }
  clearHexes() {
    this.#hexes.abort();
    this.hexes = [];
  }

  dispose() {
    this.#points.abort();
    this.#hexes.abort();
  }
}
