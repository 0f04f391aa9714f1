import type { ExpressionSpecification, GeoJSONSourceSpecification, LayerSpecification } from 'maplibre-gl';
import type { AreaCollection } from '../api.js';
import { planningLayers } from '../planning/map-layers.js';
import { rgba } from './colors.js';

/**
 * The console's layers over the dark street map: the province lifted from its
 * neighbours, the choropleth and the boundaries. The clickable areas
 * (districts, or the wards of the selected district) carry their choropleth
 * colour in a `fill` property.
 */
export const OPS_SOURCES = { province: 'ops-province', districts: 'ops-districts', areas: 'ops-areas', selected: 'ops-selected' } as const;
export const AREA_FILL_LAYER = 'ops-area-fill';

const EMPTY: AreaCollection = { type: 'FeatureCollection', features: [] };

export const OPS_MAP_COLORS = {
  background: '#070d1a',
  land: '#111b2e',
  districtLine: '#4b6286',
  areaLine: '#2f4366',
  provinceLine: '#9fb4d6',
  selectedLine: '#38bdf8',
  hover: '#dbeafe',
};

export function opsSources(): Record<string, GeoJSONSourceSpecification> {
  const src = (): GeoJSONSourceSpecification => ({ type: 'geojson', data: EMPTY, promoteId: 'code' });
  return { [OPS_SOURCES.province]: src(), [OPS_SOURCES.districts]: src(), [OPS_SOURCES.areas]: src(), [OPS_SOURCES.selected]: src() };
}

const width = (z7: number, z10: number, z14: number) => ['interpolate', ['linear'], ['zoom'], 7, z7, 10, z10, 14, z14] as unknown as number;

const areaOpacity = (share: number): ExpressionSpecification => [
  'case',
  ['boolean', ['feature-state', 'hover'], false],
  0.95 * share,
  ['has', 'fill'],
  ['*', share, ['coalesce', ['get', 'fillOpacity'], 0.7]],
  0.01,
];

/** Land, choropleth fills, lines, then the selection outline on top. */
export function opsLayers(): LayerSpecification[] {
  return [
    // A veil over the province, fading as the map zooms in where the streets matter.
    {
      id: 'ops-land',
      type: 'fill',
      source: OPS_SOURCES.province,
      paint: { 'fill-color': OPS_MAP_COLORS.land, 'fill-opacity': ['interpolate', ['linear'], ['zoom'], 8, 0.55, 13, 0] as unknown as number },
    },
    {
      id: AREA_FILL_LAYER,
      type: 'fill',
      source: OPS_SOURCES.areas,
      paint: {
        'fill-color': ['coalesce', ['get', 'fill'], OPS_MAP_COLORS.land],
        // Zoomed in to streets, the choropleth thins out so the street names read through it.
        'fill-opacity': ['interpolate', ['linear'], ['zoom'], 11, areaOpacity(1), 14, areaOpacity(0.35)] as unknown as number,
      },
    },
    {
      id: 'ops-area-hover',
      type: 'line',
      source: OPS_SOURCES.areas,
      paint: { 'line-color': OPS_MAP_COLORS.hover, 'line-width': 2, 'line-opacity': ['case', ['boolean', ['feature-state', 'hover'], false], 0.9, 0] },
    },
    { id: 'ops-area-line', type: 'line', source: OPS_SOURCES.areas, layout: { 'line-join': 'round' }, paint: { 'line-color': OPS_MAP_COLORS.areaLine, 'line-width': width(0.6, 1, 1.6) } },
    { id: 'ops-district-line', type: 'line', source: OPS_SOURCES.districts, layout: { 'line-join': 'round' }, paint: { 'line-color': OPS_MAP_COLORS.districtLine, 'line-width': width(1.1, 1.8, 3) } },
    { id: 'ops-province-line', type: 'line', source: OPS_SOURCES.province, layout: { 'line-join': 'round' }, paint: { 'line-color': OPS_MAP_COLORS.provinceLine, 'line-width': width(1.8, 2.6, 3.5) } },
    {
      id: 'ops-selected-line',
      type: 'line',
      source: OPS_SOURCES.selected,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': OPS_MAP_COLORS.selectedLine, 'line-width': width(2.5, 3.5, 5) },
    },
  ];
}

/**
 * Share of the land-use colour in the console's planning fills; the rest is
 * the dark land, so the pastel planning palette sits back behind the report
 * dots. The fills are opaque: a detailed plan hides the general one beneath
 * instead of blending with it, so each zone shows exactly its legend colour.
 */
export const PLANNING_COLOUR_SHARE = 0.7;

const land = rgba(OPS_MAP_COLORS.land);

/** A land-use colour as the console paints it, for legends and cards ("#rrggbb" in, "rgb(…)" out). */
export function planningFill(hex: string): string {
  const c = rgba(hex);
  const mix = (i: number) => Math.round(PLANNING_COLOUR_SHARE * c[i] + (1 - PLANNING_COLOUR_SHARE) * land[i]);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

/** The same mix as planningFill, computed by maplibre from each zone's `color`. */
function planningFillExpression(): ExpressionSpecification {
  const channel = (i: number): ExpressionSpecification => [
    '+',
    ['*', PLANNING_COLOUR_SHARE, ['at', i, ['to-rgba', ['get', 'color']]]],
    (1 - PLANNING_COLOUR_SHARE) * land[i],
  ];
  return ['rgb', channel(0), channel(1), channel(2)];
}

/** The citizen page's planning layers, painted for the dark map. */
export function opsPlanningLayers(): LayerSpecification[] {
  return planningLayers().map((layer) =>
    layer.type === 'fill' ? { ...layer, paint: { ...layer.paint, 'fill-color': planningFillExpression(), 'fill-opacity': 1 } } : layer,
  );
}
