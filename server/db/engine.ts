import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { PoolClient } from 'pg';

/**
 * The one module that knows which engine is underneath. Everything else goes
 * through Kysely; the few things the engines do differently are asked here.
 */
export type EngineKind = 'embedded' | 'postgres';

export interface Engine {
  kind: EngineKind;
  /** Runs a multi-statement SQL script (PGlite's query() refuses those). */
  execScript(script: string): Promise<void>;
  /** Flushes to disk before shutdown; a no-op where the server does it. */
  checkpoint(): Promise<void>;
  /** Releases the connection pool or the embedded instance and its lock. */
  close(): Promise<void>;
  /**
   * PostgreSQL only: lends one pooled client for COPY ... FROM STDIN (bulk
   * seeding), which Kysely cannot issue. A client whose fn throws is discarded.
   */
  withPgClient?<T>(fn: (client: PoolClient) => Promise<T>): Promise<T>;
}

const engines = new WeakMap<Kysely<any>, Engine>();

export function registerEngine(db: Kysely<any>, engine: Engine): void {
  engines.set(db, engine);
}

export function engineOf(db: Kysely<any>): Engine {
  const engine = engines.get(db);
  if (!engine) throw new Error('This Kysely instance was not made by createDb()');
  return engine;
}

export interface Capabilities {
  engine: EngineKind;
  postgisVersion: string;
  /** ST_AsMVT needs PostGIS built with protobuf-c; embedded PostGIS lacks it. */
  asMvt: boolean;
}

const capabilityCache = new WeakMap<Kysely<any>, Capabilities>();

export async function capabilitiesOf(db: Kysely<any>): Promise<Capabilities> {
  const cached = capabilityCache.get(db);
  if (cached) return cached;
  const { rows } = await sql<{ version: string; libs: string }>`
    select postgis_lib_version() as version, postgis_full_version() as libs`.execute(db);
  const caps: Capabilities = {
    engine: engineOf(db).kind,
    postgisVersion: rows[0].version,
    asMvt: /PROTOBUF/i.test(rows[0].libs),
  };
  capabilityCache.set(db, caps);
  return caps;
}
