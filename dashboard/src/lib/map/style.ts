import type { GeoJSONSourceSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import type { AreaCollection } from '../api.js';

/** Colours shared by the map layers and the legend, so the two never disagree. */
export const MAP_COLORS = {
  background: '#dde3ea',
  provinceLine: '#0f172a',
  districtFillFallback: '#f8fafc',
  wardFillHover: '#dbeafe',
  wardFillSelected: '#bfdbfe',
  wardLine: '#94a3b8',
  districtLine: '#334155',
  selectedLine: '#1d4ed8',
} as const;

export const SOURCES = { province: 'areas-province', districts: 'areas-districts', wards: 'areas-wards' } as const;

/** The ward fill answers hover and click queries. */
export const WARD_FILL_LAYER = 'ward-fill';

const EMPTY: AreaCollection = { type: 'FeatureCollection', features: [] };

/**
 * A style with nothing but a background: the offline basemap. Our boundaries go
 * on top of it exactly as they go on top of a hosted style. No glyphs or sprite,
 * since there is no server to fetch them from.
 */
export function offlineStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': MAP_COLORS.background } }],
  };
}

function source(data: AreaCollection): GeoJSONSourceSpecification {
  // promoteId lets feature-state (hover, selection) key on the area code.
  return { type: 'geojson', data, promoteId: 'code' };
}

export function boundarySources(): Record<string, GeoJSONSourceSpecification> {
  return { [SOURCES.province]: source(EMPTY), [SOURCES.districts]: source(EMPTY), [SOURCES.wards]: source(EMPTY) };
}

const lineWidth = (atZoom7: number, atZoom10: number, atZoom14: number) =>
  ['interpolate', ['linear'], ['zoom'], 7, atZoom7, 10, atZoom10, 14, atZoom14] as unknown as number;

/**
 * Boundary layers, bottom to top: tinted former-district fills, ward highlight
 * fills, ward lines, former-district lines, the province outline, then the
 * selection. `hostedBasemap` makes the fills translucent so a hosted style shows through.
 */
export function boundaryLayers(hostedBasemap: boolean): LayerSpecification[] {
  return [
    {
      id: 'district-fill',
      type: 'fill',
      source: SOURCES.districts,
      paint: {
        'fill-color': ['coalesce', ['get', 'tint'], MAP_COLORS.districtFillFallback],
        'fill-opacity': hostedBasemap ? 0.3 : 1,
      },
    },
    {
      // Transparent until hovered or selected, but still answers pointer queries.
      id: WARD_FILL_LAYER,
      type: 'fill',
      source: SOURCES.wards,
      paint: {
        'fill-color': ['case', ['boolean', ['feature-state', 'selected'], false], MAP_COLORS.wardFillSelected, MAP_COLORS.wardFillHover],
        'fill-opacity': [
          'case',
          ['boolean', ['feature-state', 'selected'], false],
          hostedBasemap ? 0.6 : 1,
          ['boolean', ['feature-state', 'hover'], false],
          hostedBasemap ? 0.5 : 0.9,
          0,
        ],
      },
    },
    {
      id: 'ward-line',
      type: 'line',
      source: SOURCES.wards,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': MAP_COLORS.wardLine, 'line-width': lineWidth(0.5, 0.9, 1.6), 'line-opacity': 0.9 },
    },
    {
      id: 'district-line',
      type: 'line',
      source: SOURCES.districts,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': MAP_COLORS.districtLine, 'line-width': lineWidth(1.2, 2, 3.2) },
    },
    {
      id: 'province-line',
      type: 'line',
      source: SOURCES.province,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': MAP_COLORS.provinceLine, 'line-width': lineWidth(2, 3, 4) },
    },
    {
      id: 'ward-selected-line',
      type: 'line',
      source: SOURCES.wards,
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': MAP_COLORS.selectedLine,
        'line-width': lineWidth(2, 3, 4),
        'line-opacity': ['case', ['boolean', ['feature-state', 'selected'], false], 1, 0],
      },
    },
  ];
}
