import type { GeoJSONSourceSpecification, LayerSpecification } from 'maplibre-gl';
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

function source(data: AreaCollection): GeoJSONSourceSpecification {
  // promoteId lets feature-state (hover, selection) key on the area code.
  return { type: 'geojson', data, promoteId: 'code' };
}

export function boundarySources(): Record<string, GeoJSONSourceSpecification> {
  return { [SOURCES.province]: source(EMPTY), [SOURCES.districts]: source(EMPTY), [SOURCES.wards]: source(EMPTY) };
}

const lineWidth = (atZoom7: number, atZoom10: number, atZoom14: number) =>
  ['interpolate', ['linear'], ['zoom'], 7, atZoom7, 10, atZoom10, 14, atZoom14] as unknown as number;

/** Fill opacity that fades as the map zooms in, so streets show through where the citizen looks for a place. */
const fading = (atZoom8: number, atZoom13: number) => ['interpolate', ['linear'], ['zoom'], 8, atZoom8, 13, atZoom13] as unknown as number;

/**
 * Boundary layers over the street map, bottom to top: tinted former-district
 * fills, ward highlight fills, ward lines, former-district lines, the province
 * outline, then the selection.
 */
export function boundaryLayers(): LayerSpecification[] {
  return [
    {
      id: 'district-fill',
      type: 'fill',
      source: SOURCES.districts,
      paint: {
        'fill-color': ['coalesce', ['get', 'tint'], MAP_COLORS.districtFillFallback],
        'fill-opacity': fading(0.45, 0.08),
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
          0.55,
          ['boolean', ['feature-state', 'hover'], false],
          0.45,
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
