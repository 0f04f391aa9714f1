import type { Kysely } from 'kysely';
import type { Database } from '../server/db/database.js';
/** What a bench endpoint sees: samples drawn once from the loaded database. */
export interface BenchContext {
  points: { lat: number; lon: number }[];
  codes: string[];
  fields: string[];
  /** Former districts, for filters that differ between viewers. */
  districts: { id: number; code: string }[];
  /** A dispatcher's session (every report, held ones counted). */
  staffCookie: string;
  /** An officer's session (their unit's reports and those it handed on) and the officer's unit. */
  officerCookie: string;
  officerUnit: number;
  random<T>(items: T[]): T;
}

export interface BenchEndpoint {
  name: string;
  method?: 'GET' | 'POST';
  /** Builds one request; called per request so paths vary. */
  request(ctx: BenchContext): { path: string; body?: string | Buffer; headers?: Record<string, string> };
  /**
   * The floor: the same work straight against PostgreSQL, without HTTP. Either
   * literal SQL, or `run` for endpoints whose SQL comes from our query module
   * (the exact statements the API sends, executed through Kysely's pg driver).
   */
  floor(ctx: BenchContext): { sql: string; params: unknown[] } | { run: (db: Kysely<Database>) => Promise<unknown> };
}
