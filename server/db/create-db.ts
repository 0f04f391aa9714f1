import fs from 'node:fs';
import path from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import { postgis } from '@electric-sql/pglite-postgis';
import {
  Kysely, PGliteDialect, PostgresDialect,
  type DatabaseConnection, type Driver, type TransactionSettings,
} from 'kysely';
import pg from 'pg';
import { acquireDataDirLock } from './data-dir-lock.js';
import type { Database } from './database.js';
import { registerEngine } from './engine.js';

export interface DbConfig {
  /** postgres:// URL for PostgreSQL + PostGIS; absent means embedded PGlite. */
  databaseUrl?: string;
  /** Data directory of the embedded engine; absent means in memory. */
  dataDir?: string;
  poolSize?: number;
  /**
   * PostgreSQL cancels any statement of the app that runs longer (error
   * 57014, answered 503), so one slow query cannot hold a pool connection for
   * good. Absent or 0: no limit (the command-line tools). Scripts and COPY
   * sessions (migrations, imports, seeding) run without it. The embedded
   * engine cannot honour it: PGlite runs PostgreSQL single-threaded in
   * WebAssembly, with no timer signal to cancel a running statement.
   */
  statementTimeoutMs?: number;
}

/**
 * Returns a Kysely instance on PostgreSQL (with databaseUrl) or on embedded
 * PGlite + PostGIS. Both return int8 as strings and timestamptz as Date.
 */
export async function createDb(config: DbConfig): Promise<Kysely<Database>> {
  return config.databaseUrl
    ? createPostgres(config.databaseUrl, config.poolSize ?? 10, config.statementTimeoutMs ?? 0)
    : createEmbedded(config.dataDir);
}

function createPostgres(url: string, poolSize: number, statementTimeoutMs: number): Kysely<Database> {
  // Sent in each connection's startup packet, so it is the session default that RESET returns to.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}) });
  /** A client for long work (scripts, COPY): without the app's statement timeout until released. */
  const unlimitedClient = async () => {
    const client = await pool.connect();
    if (statementTimeoutMs > 0) {
      try {
        await client.query('SET statement_timeout = 0');
      } catch (error) {
        client.release(true);
        throw error;
      }
    }
    return client;
  };
  const restoreLimit = async (client: pg.PoolClient) => {
    if (statementTimeoutMs > 0) await client.query('RESET statement_timeout');
  };
  // Idle clients can error when the server restarts; without a listener that kills the process.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  registerEngine(db, {
    kind: 'postgres',
    async execScript(script) {
      // The simple query protocol (no parameters) accepts several statements.
      const client = await unlimitedClient();
      let broken = false;
      try {
        await client.query(script);
      } catch (error) {
        // A script that opened a transaction and failed leaves it aborted on this client.
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        await restoreLimit(client).catch(() => (broken = true));
        client.release(broken);
      }
    },
    async checkpoint() {},
    async close() {
      await db.destroy();
    },
    async withPgClient(fn) {
      const client = await unlimitedClient();
      try {
        const result = await fn(client);
        await restoreLimit(client);
        client.release();
        return result;
      } catch (error) {
        // It may be mid-COPY or in an aborted transaction: never hand it to the pool again.
        client.release(true);
        throw error;
      }
    },
  });
  return db;
}

async function createEmbedded(dataDir: string | undefined): Promise<Kysely<Database>> {
  const release = dataDir ? acquireDataDirLock(dataDir) : () => {};
  let pglite: PGlite;
  try {
    const fresh = dataDir !== undefined && !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
    pglite = await PGlite.create({
      ...(dataDir ? { fs: new SyncingNodeFS(dataDir), startParams: DURABLE_START_PARAMS } : {}),
      extensions: { postgis },
      // Match node-postgres: int8 as string, so both engines give the same rows.
      parsers: { [pgliteTypes.INT8]: (value: string) => value },
    });
    // initdb's files are unpacked outside PostgreSQL's own fsync bookkeeping.
    if (fresh) syncTree(dataDir);
  } catch (error) {
    release();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new SerialPGliteDialect({ pglite }) });
  registerEngine(db, {
    kind: 'embedded',
    async execScript(script) {
      try {
        await pglite.exec(script);
      } catch (error) {
        await pglite.exec('ROLLBACK').catch(() => {});
        throw error;
      }
    },
    async checkpoint() {
      await pglite.exec('CHECKPOINT');
    },
    async close() {
      try {
        if (!pglite.closed) await pglite.exec('CHECKPOINT');
        await db.destroy();
      } finally {
        release();
      }
    },
  });
  return db;
}

/**
 * PGlite starts PostgreSQL with fsync off (-F), and its Node filesystem
 * treats fsync as a no-op (and fdatasync is a stub), so a commit reaches
 * the OS but never the disk: a power cut can lose acknowledged reports or
 * corrupt the directory (electric-sql/pglite#1065). These settings turn
 * fsync back on, with WAL flushes through fsync(), the one call the
 * filesystem below can honour.
 */
const DURABLE_START_PARAMS = [...PGlite.defaultStartParams.filter((p) => p !== '-F'), '-c', 'fsync=on', '-c', 'wal_sync_method=fsync'];

interface EmscriptenStream {
  nfd?: number;
  node: unknown;
}

interface EmscriptenModule {
  FS: {
    filesystems: { NODEFS: { stream_ops: { fsync?: (stream: EmscriptenStream) => number }; realPath(node: unknown): string } };
    ErrnoError: new (errno: number) => Error;
  };
}

/** PGlite's Node filesystem with a real fsync, on files and on directories. */
class SyncingNodeFS extends NodeFS {
  override async init(...args: Parameters<NodeFS['init']>) {
    const { emscriptenOpts } = await super.init(...args);
    const enableFsync = (mod: EmscriptenModule) => {
      const nodefs = mod.FS.filesystems.NODEFS;
      nodefs.stream_ops.fsync = (stream) => {
        try {
          if (stream.nfd !== undefined) fs.fsyncSync(stream.nfd);
          else syncPath(nodefs.realPath(stream.node));
          return 0;
        } catch {
          // EIO: PostgreSQL treats a failed fsync as fatal, which is what it should be.
          throw new mod.FS.ErrnoError(29);
        }
      };
    };
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), enableFsync] } as typeof emscriptenOpts };
  }
}

function syncPath(file: string) {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function syncTree(dir: string) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) syncTree(full);
    else if (entry.isFile()) syncPath(full);
  }
  syncPath(dir);
}

/**
 * PGlite is one connection, and Kysely's PGlite driver hands it to every
 * caller at once: a query issued while another caller's transaction is open
 * would run inside that transaction. Serialising connection use restores the
 * isolation a pool gives on PostgreSQL.
 */
class SerialPGliteDialect extends PGliteDialect {
  override createDriver(): Driver {
    return new SerialDriver(super.createDriver());
  }
}

/**
 * PGlite reads the parameter count as a signed 16-bit number: a statement
 * with more than 32,767 parameters does not fail but leaves the connection
 * returning empty results from then on. Refuse such statements loudly.
 */
const PGLITE_MAX_PARAMETERS = 32_767;

const unwrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
const unwrap = (c: DatabaseConnection) => unwrapped.get(c) ?? c;

function guardParameters(connection: DatabaseConnection): DatabaseConnection {
  const guarded: DatabaseConnection = {
    executeQuery(query, options) {
      if (query.parameters.length > PGLITE_MAX_PARAMETERS) {
        return Promise.reject(new Error(`A statement with ${query.parameters.length} parameters exceeds the embedded engine's limit of ${PGLITE_MAX_PARAMETERS}; insert in smaller batches`));
      }
      return connection.executeQuery(query, options);
    },
    streamQuery: (query, chunkSize, options) => connection.streamQuery(query, chunkSize, options),
  };
  unwrapped.set(guarded, connection);
  return guarded;
}

class SerialDriver implements Driver {
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(private readonly inner: Driver) {}

  init() {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.#release = release;
    return guardParameters(await this.inner.acquireConnection());
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.inner.releaseConnection(unwrap(connection));
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    return this.inner.beginTransaction(unwrap(connection), settings);
  }

  commitTransaction(connection: DatabaseConnection) {
    return this.inner.commitTransaction(unwrap(connection));
  }

  rollbackTransaction(connection: DatabaseConnection) {
    return this.inner.rollbackTransaction(unwrap(connection));
  }

  destroy() {
    return this.inner.destroy();
  }
}
