import type { FilterSpecification, LayerSpecification, Map as MaplibreMap, VectorSourceSpecification } from 'maplibre-gl';

export const PLANNING_SOURCE = 'planning';
export const PLANNING_FILL = 'planning-fill';
export const PLANNING_LINE = 'planning-line';
export const PLANNING_PICK = 'planning-pick';
export const PICK_SOURCE = 'planning-pick-point';

/** Vector tiles served by /tiles/planning; zones only mean something from street zooms. */
export function planningSource(origin: string): VectorSourceSpecification {
  return { type: 'vector', tiles: [`${origin}/tiles/planning/{z}/{x}/{y}.mvt`], minzoom: 12, maxzoom: 16 };
}

/** Detailed plans drawn over general ones: each level is its own fill, in that order. */
export function planningLayers(): LayerSpecification[] {
  const level = (l: string): FilterSpecification => ['==', ['get', 'level'], l];
  const fill = (l: string, opacity: number): LayerSpecification => ({
    id: `${PLANNING_FILL}-${l}`,
    type: 'fill',
    source: PLANNING_SOURCE,
    'source-layer': 'planning',
    minzoom: 12,
    filter: level(l),
    paint: { 'fill-color': ['get', 'color'], 'fill-opacity': opacity },
  });
  return [
    fill('general', 0.35),
    fill('zoning', 0.55),
    fill('detailed', 0.8),
    {
      id: PLANNING_LINE,
      type: 'line',
      source: PLANNING_SOURCE,
      'source-layer': 'planning',
      minzoom: 14,
      filter: level('detailed'),
      paint: { 'line-color': '#475569', 'line-width': ['interpolate', ['linear'], ['zoom'], 14, 0.3, 17, 1] },
    },
  ];
}

/**
 * The layer that planning zones go under on a street map: its first road (OpenMapTiles' "transportation",
 * in our style and in a deployment's MAP_STYLE_URL alike), so that streets and their names stay readable
 * over the zones and a citizen can tell which side of the street a plot is on. A style without roads
 * gets them under its first label; one without labels, on top.
 */
export function planningBeforeLayer(map: MaplibreMap): string | undefined {
  const layers = map.getStyle().layers;
  const road = layers.find((l) => 'source-layer' in l && l['source-layer'] === 'transportation');
  return (road ?? layers.find((l) => l.type === 'symbol'))?.id;
}

export const PLANNING_FILL_LAYERS = ['general', 'zoning', 'detailed'].map((l) => `${PLANNING_FILL}-${l}`);

/** The looked-up point. */
export function pickLayer(): LayerSpecification {
  return {
    id: PLANNING_PICK,
    type: 'circle',
    source: PICK_SOURCE,
    paint: { 'circle-radius': 8, 'circle-color': '#dc2626', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 3 },
  };
}
