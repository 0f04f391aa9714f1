/** What a map shows: its bounds, zoom and centre, all in [lng, lat] order. */
export interface MapView {
  bounds: [west: number, south: number, east: number, north: number];
  zoom: number;
  center: [lng: number, lat: number];
}
