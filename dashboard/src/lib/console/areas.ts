import type { Feature, MultiPolygon, Polygon } from 'geojson';
import type { AreaCollection, AreaProperties } from '../api.js';
import { collectionBounds } from '../map/bounds.js';
import type { AreaStat, Bbox } from './client.js';
import { GOOD_RAMP, HEAT_RAMP, rampColor } from './colors.js';
import type { MapLabel, RampLegend } from './layers.js';
import type { AreaMetric } from './view.svelte.js';

type AreaFeature = Feature<Polygon | MultiPolygon, AreaProperties>;

export function featureBounds(feature: AreaFeature): Bbox | undefined {
  return collectionBounds({ type: 'FeatureCollection', features: [feature] });
}

export function only(collection: AreaCollection | null, keep: (p: AreaProperties) => boolean): AreaCollection | null {
  if (!collection) return null;
  return { type: 'FeatureCollection', features: collection.features.filter((f) => keep(f.properties)) };
}

/** Former-district names carry a "(cũ)"/"(former …)" suffix the breadcrumb already implies. */
export const withoutFormerSuffix = (name: string) => name.replace(/\s*\([^)]*\)\s*$/, '');

export function areaLabels(collection: AreaCollection | null, name: (p: AreaProperties) => string, size: number): MapLabel[] {
  return (collection?.features ?? []).map((f) => ({
    code: f.properties.code,
    text: withoutFormerSuffix(name(f.properties)),
    position: f.properties.label,
    priority: f.properties.area_km2,
    size,
  }));
}

interface MetricDef {
  value: (r: AreaStat) => number | null;
  higherIsBetter: boolean;
  /** A fixed domain where one makes sense (shares, the 0–100 index). */
  domain?: [number, number];
}

export const AREA_METRIC_DEFS: Record<AreaMetric, MetricDef> = {
  backlog: { value: (r) => r.open, higherIsBetter: false },
  on_time: { value: (r) => (r.resolved > 0 ? r.on_time_rate : null), higherIsBetter: true, domain: [0.5, 1] },
  median_hours: { value: (r) => r.median_handling_hours, higherIsBetter: false },
  satisfaction: { value: (r) => (r.total > 0 ? r.satisfaction_index : null), higherIsBetter: true, domain: [50, 100] },
};

/**
 * Gives each area the colour of its metric in a `fill` property (areas with no
 * data get none and stay dark), and the legend that explains it.
 */
export function choropleth(
  collection: AreaCollection | null,
  rows: AreaStat[],
  metric: AreaMetric,
  format: (v: number) => string,
  words: { better: string; worse: string },
  opacity = 0.6,
): { collection: AreaCollection | null; legend: RampLegend | null } {
  if (!collection) return { collection, legend: null };
  const def = AREA_METRIC_DEFS[metric];
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const values = rows.map(def.value).filter((v): v is number => v !== null);
  let [lo, hi] = def.domain ?? [0, Math.max(1, ...values)];
  if (def.domain && values.length) {
    lo = Math.min(lo, ...values);
    hi = Math.max(hi, ...values);
  }
  const ramp = def.higherIsBetter ? GOOD_RAMP : HEAT_RAMP;
  const t = (v: number) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);
  const features = collection.features.map((f) => {
    const row = byCode.get(f.properties.code);
    const v = row ? def.value(row) : null;
    const properties = v === null ? { ...f.properties } : { ...f.properties, fill: rampColor(ramp, t(v)), fillOpacity: opacity };
    return { ...f, properties };
  });
  const legend: RampLegend = {
    colors: ramp,
    low: format(lo),
    high: format(hi),
    caption: def.higherIsBetter ? `${words.worse} → ${words.better}` : `${words.better} → ${words.worse}`,
  };
  return { collection: { ...collection, features }, legend };
}
