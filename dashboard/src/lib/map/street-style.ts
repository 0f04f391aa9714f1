import type { ExpressionSpecification, FilterSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import { BASEMAP_PATH } from '../../../../server/domain/basemap.js';
import { fetchConfig } from '../api.js';

/**
 * Our own offline street map: the OpenMapTiles-schema OSM tiles, glyphs and
 * sprites the server ships under BASEMAP_PATH, in a light theme for citizens
 * and a dark one for the console and the wall. Every map of the product starts
 * from this style and puts its own layers (boundaries, reports) on top.
 */
export type StreetTheme = 'light' | 'dark';

export const BASEMAP_ATTRIBUTION =
  '<a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noopener">© OpenStreetMap contributors</a> ' +
  '<a href="https://openmaptiles.org/" target="_blank" rel="noopener">© OpenMapTiles</a>';

/** The tiles' crop (see fixtures/osm-daklak/SOURCE.md): nothing is asked for outside it. */
const TILE_BOUNDS: [number, number, number, number] = [107.4, 12.1, 109.5, 13.7];

interface Palette {
  land: string;
  sea: string;
  water: string;
  wood: string;
  grass: string;
  farmland: string;
  residential: string;
  park: string;
  building: string;
  casing: string;
  motorway: string;
  trunk: string;
  primary: string;
  secondary: string;
  minor: string;
  path: string;
  rail: string;
  roadText: string;
  placeText: string;
  poiText: string;
  poiDot: string;
  waterText: string;
  halo: string;
}

const PALETTES: Record<StreetTheme, Palette> = {
  light: {
    land: '#f2efe9',
    sea: '#a8cfe0',
    water: '#a8cfe0',
    wood: '#d5e6c3',
    grass: '#e2eecd',
    farmland: '#eef0d8',
    residential: '#ebe6df',
    park: '#cfe7bd',
    building: '#d9d0c7',
    casing: '#c5bcb2',
    motorway: '#e9a0a8',
    trunk: '#f5b995',
    primary: '#fbd49a',
    secondary: '#f7f3b5',
    minor: '#ffffff',
    path: '#a39a8f',
    rail: '#9a9a9a',
    roadText: '#3a3630',
    placeText: '#1f1d1a',
    poiText: '#5a4e42',
    poiDot: '#8a7a6a',
    waterText: '#2f6584',
    halo: '#ffffff',
  },
  dark: {
    land: '#111b2e',
    sea: '#050b17',
    water: '#0d2540',
    wood: '#13233a',
    grass: '#142437',
    farmland: '#131f33',
    residential: '#16223a',
    park: '#13283a',
    building: '#1d2a44',
    casing: '#0b1324',
    motorway: '#5b6f93',
    trunk: '#4f6386',
    primary: '#45597a',
    secondary: '#3a4c6a',
    minor: '#2b3a55',
    path: '#2b3a55',
    rail: '#3a4a66',
    roadText: '#a9b8cf',
    placeText: '#d5deec',
    poiText: '#8c9bb4',
    poiDot: '#5d6d89',
    waterText: '#6f9ccc',
    halo: '#0b1324',
  },
};

const zoomed = (...stops: number[]) => ['interpolate', ['exponential', 1.5], ['zoom'], ...stops] as unknown as number;

const name: ExpressionSpecification = ['coalesce', ['get', 'name:latin'], ['get', 'name']];

function roadLayers(p: Palette): LayerSpecification[] {
  // The proposed North–South railway is drawn as straight lines across Phú Yên; it does not exist yet.
  const notProposed: FilterSpecification = ['!=', ['get', 'class'], 'proposed'];
  const ofClass = (...classes: string[]): FilterSpecification => ['all', notProposed, ['match', ['get', 'class'], classes, true, false]];
  const road = (id: string, classes: string[], color: string, width: number, minzoom: number): LayerSpecification[] => [
    {
      id: `road-${id}-casing`,
      type: 'line',
      source: 'osm',
      'source-layer': 'transportation',
      minzoom: Math.max(minzoom, 12),
      filter: ofClass(...classes),
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': p.casing, 'line-width': zoomed(12, width * 0.9 + 1, 18, width * 8 + 2) },
    },
    {
      id: `road-${id}`,
      type: 'line',
      source: 'osm',
      'source-layer': 'transportation',
      minzoom,
      filter: ofClass(...classes),
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: {
        'line-color': color,
        'line-width': minzoom < 12 ? zoomed(minzoom, width * 0.35, 12, width * 0.9, 18, width * 8) : zoomed(minzoom, width * 0.9, 18, width * 8),
      },
    },
  ];
  return [
    {
      id: 'road-path',
      type: 'line',
      source: 'osm',
      'source-layer': 'transportation',
      minzoom: 14,
      filter: ofClass('path', 'track'),
      paint: { 'line-color': p.path, 'line-width': zoomed(14, 0.6, 18, 2), 'line-dasharray': [2, 1.5] },
    },
    {
      id: 'rail',
      type: 'line',
      source: 'osm',
      'source-layer': 'transportation',
      minzoom: 9,
      filter: ofClass('rail', 'transit'),
      paint: { 'line-color': p.rail, 'line-width': zoomed(9, 0.6, 16, 2.5), 'line-dasharray': [3, 2] },
    },
    ...road('service', ['service'], p.minor, 0.8, 14),
    ...road('minor', ['minor'], p.minor, 1.2, 12),
    ...road('tertiary', ['tertiary'], p.minor, 1.5, 10),
    ...road('secondary', ['secondary'], p.secondary, 1.8, 8),
    ...road('primary', ['primary'], p.primary, 2.1, 7),
    ...road('trunk', ['trunk'], p.trunk, 2.4, 6),
    ...road('motorway', ['motorway'], p.motorway, 2.6, 6),
  ];
}

function labelLayers(p: Palette): LayerSpecification[] {
  const halo = { 'text-halo-color': p.halo, 'text-halo-width': 1.4, 'text-halo-blur': 0.3 };
  return [
    {
      id: 'waterway-label',
      type: 'symbol',
      source: 'osm',
      'source-layer': 'waterway',
      minzoom: 12,
      filter: ['has', 'name:latin'],
      layout: { 'symbol-placement': 'line', 'text-field': name, 'text-font': ['Noto Sans Italic'], 'text-size': 13, 'text-letter-spacing': 0.05 },
      paint: { 'text-color': p.waterText, ...halo },
    },
    {
      id: 'road-label',
      type: 'symbol',
      source: 'osm',
      'source-layer': 'transportation_name',
      minzoom: 12,
      filter: ['any', ['has', 'name:latin'], ['has', 'ref']],
      layout: {
        'symbol-placement': 'line',
        // A numbered highway without a name still tells the citizen where they are: "QL14".
        'text-field': ['coalesce', ['get', 'name:latin'], ['concat', ['match', ['get', 'network'], 'vn:national', 'QL', ''], ['get', 'ref']]],
        'text-font': ['Noto Sans Regular'],
        'text-size': zoomed(12, 11, 16, 14, 18, 16),
        'symbol-spacing': 300,
        'text-max-angle': 30,
      },
      paint: { 'text-color': p.roadText, ...halo },
    },
    {
      id: 'poi-dot',
      type: 'circle',
      source: 'osm',
      'source-layer': 'poi',
      minzoom: 15,
      filter: ['has', 'name:latin'],
      paint: { 'circle-radius': 3.5, 'circle-color': p.poiDot, 'circle-stroke-color': p.halo, 'circle-stroke-width': 1 },
    },
    {
      id: 'poi-label',
      type: 'symbol',
      source: 'osm',
      'source-layer': 'poi',
      minzoom: 15,
      filter: ['has', 'name:latin'],
      layout: {
        'text-field': name,
        'text-font': ['Noto Sans Regular'],
        'text-size': 12,
        'text-anchor': 'top',
        'text-offset': [0, 0.6],
        'text-max-width': 8,
        'symbol-sort-key': ['coalesce', ['get', 'rank'], 99],
      },
      paint: { 'text-color': p.poiText, ...halo },
    },
    {
      id: 'place-label',
      type: 'symbol',
      source: 'osm',
      'source-layer': 'place',
      minzoom: 11,
      filter: ['match', ['get', 'class'], ['suburb', 'quarter', 'neighbourhood', 'village', 'hamlet'], true, false],
      layout: {
        'text-field': name,
        'text-font': ['Noto Sans Medium'],
        'text-size': zoomed(11, 11, 16, 14),
        'text-max-width': 8,
        'text-transform': 'none',
      },
      paint: { 'text-color': p.placeText, 'text-opacity': 0.75, ...halo },
    },
  ];
}

function streetLayers(p: Palette): LayerSpecification[] {
  const fill = (id: string, layer: string, color: string, filter?: FilterSpecification, minzoom = 0, opacity = 1): LayerSpecification => ({
    id,
    type: 'fill',
    source: 'osm',
    'source-layer': layer,
    minzoom,
    ...(filter ? { filter } : {}),
    paint: { 'fill-color': color, 'fill-opacity': opacity },
  });
  return [
    { id: 'background', type: 'background', paint: { 'background-color': p.land } },
    // The tiles carry no ocean (their build had no coastline): the sea off Tuy Hòa is our own polygon.
    { id: 'sea', type: 'fill', source: 'sea', paint: { 'fill-color': p.sea } },
    fill('landcover-farmland', 'landcover', p.farmland, ['==', ['get', 'class'], 'farmland'], 9),
    fill('landcover-wood', 'landcover', p.wood, ['==', ['get', 'class'], 'wood'], 8),
    fill('landcover-grass', 'landcover', p.grass, ['match', ['get', 'class'], ['grass', 'wetland', 'sand'], true, false], 9),
    fill('landuse-residential', 'landuse', p.residential, ['match', ['get', 'class'], ['residential', 'suburb', 'neighbourhood'], true, false], 10),
    fill('park', 'park', p.park, undefined, 10),
    fill('water', 'water', p.water),
    {
      id: 'waterway',
      type: 'line',
      source: 'osm',
      'source-layer': 'waterway',
      minzoom: 9,
      paint: {
        'line-color': p.water,
        'line-width': ['interpolate', ['exponential', 1.5], ['zoom'], 9, ['match', ['get', 'class'], 'river', 1, 0.3], 16, ['match', ['get', 'class'], 'river', 6, 2]],
      },
    },
    fill('building', 'building', p.building, undefined, 14, 0.8),
    ...roadLayers(p),
    ...labelLayers(p),
  ];
}

/** The base style; `origin` makes every URL absolute, as MapLibre's workers need. */
export function streetStyle(theme: StreetTheme, origin = window.location.origin): StyleSpecification {
  const base = `${origin}${BASEMAP_PATH}`;
  return {
    version: 8,
    glyphs: `${base}/fonts/{fontstack}/{range}.pbf`,
    sprite: `${base}/sprites/${theme}`,
    sources: {
      osm: { type: 'vector', tiles: [`${base}/tiles/{z}/{x}/{y}.pbf`], minzoom: 0, maxzoom: 14, bounds: TILE_BOUNDS, attribution: BASEMAP_ATTRIBUTION },
      sea: { type: 'geojson', data: `${base}/sea.geojson` },
    },
    layers: streetLayers(PALETTES[theme]),
  };
}

let configured: Promise<string | null> | undefined;

/**
 * The style a map starts from: the deployment's hosted style when
 * MAP_STYLE_URL is set, else our offline street map. Without the network the
 * offline one is used, so a map always draws.
 */
export function chosenStyle(theme: StreetTheme): Promise<string | StyleSpecification> {
  configured ??= fetchConfig().then(
    (config) => config.mapStyleUrl,
    () => null,
  );
  return configured.then((url) => url ?? streetStyle(theme));
}
