import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { Logger } from './log.js';
import type { MediaStorage } from './services/media/storage.js';

/** What the app's routes are given: app.ts builds it, routes receive it (they never import the app). */
export interface AppDeps {
  db: Kysely<Database>;
  config: Config;
  logger: Logger;
  storage: MediaStorage;
  /** The clock the rate-limit windows follow; tests pin it. */
  now?: () => Date;
}
