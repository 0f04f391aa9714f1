// Minimal types for the tile encoder and decoder packages, which ship none.
declare module 'vt-pbf' {
  export function fromGeojsonVt(layers: Record<string, unknown>, options?: { version?: number; extent?: number }): Uint8Array;
}
declare module '@mapbox/vector-tile' {
  export class VectorTileFeature {
    id: number | undefined;
    type: 1 | 2 | 3;
    extent: number;
    properties: Record<string, string | number | boolean>;
    loadGeometry(): { x: number; y: number }[][];
    toGeoJSON(x: number, y: number, z: number): GeoJSON.Feature;
  }
  export class VectorTileLayer {
    length: number;
    name: string;
    extent: number;
    feature(i: number): VectorTileFeature;
  }
  export class VectorTile {
    constructor(pbf: unknown);
    layers: Record<string, VectorTileLayer>;
  }
}
declare module 'pbf' {
  export default class Pbf {
    constructor(buf?: Uint8Array);
  }
}
