/** What a bench endpoint sees: samples drawn once from the loaded database. */
export interface BenchContext {
  points: { lat: number; lon: number }[];
  codes: string[];
  fields: string[];
  staffCookie: string;
  random<T>(items: T[]): T;
}

export interface BenchEndpoint {
  name: string;
  method?: 'GET' | 'POST';
  /** Builds one request; called per request so paths vary. */
  request(ctx: BenchContext): { path: string; body?: string | Buffer; headers?: Record<string, string> };
  /** The same work as plain SQL, run directly against PostgreSQL: the floor. */
  floor(ctx: BenchContext): { sql: string; params: unknown[] };
}
