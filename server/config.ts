import path from 'node:path';
import { z } from 'zod';

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

const ConfigSchema = z.object({
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(65535).default(8787)),
  HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  ),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
  MEDIA_DIR: z.preprocess(emptyAsUndefined, z.string().optional()),
  DB_POOL_SIZE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(200).default(10)),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  MAP_STYLE_URL: z.preprocess(emptyAsUndefined, z.string().url('must be an absolute URL').optional()),
  PUBLIC_BASE_URL: z.preprocess(emptyAsUndefined, z.string().url('must be an absolute URL').optional()),
  OPEN311_JURISDICTION_ID: z.preprocess(emptyAsUndefined, z.string().regex(/^[a-z0-9.-]{1,100}$/, 'must be a domain-like id, e.g. daklak.gov.vn').default('daklak.gov.vn')),
  SEED_REPORTS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(2_000_000).default(20_000)),
  DASHBOARD_DIR: z.preprocess(emptyAsUndefined, z.string().default('./dist')),
  CORS_ORIGINS: z.preprocess(emptyAsUndefined, z.string().regex(/^https?:\/\/[^,\s]+(,https?:\/\/[^,\s]+)*$/, 'must be a comma-separated list of http(s) origins').optional()),
  SMTP_URL: z.preprocess(emptyAsUndefined, z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional()),
  MAIL_FROM: z.preprocess(emptyAsUndefined, z.string().default('Phản ánh hiện trường Đắk Lắk <no-reply@localhost>')),
  WALL_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(24, 'must be at least 24 characters').optional()),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  mediaDir: string;
  poolSize: number;
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
  mapStyleUrl?: string;
  publicBaseUrl?: string;
  /** The Open311 jurisdiction_id this server answers for. */
  open311JurisdictionId: string;
  seedReports: number;
  dashboardDir: string;
  wallToken?: string;
  corsOrigins: string[];
  smtpUrl?: string;
  mailFrom: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment once at startup; a bad value stops the process with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])])})`));
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    mediaDir: path.resolve(e.MEDIA_DIR ?? path.join(dataDir, 'media')),
    poolSize: e.DB_POOL_SIZE,
    logLevel: e.LOG_LEVEL,
    mapStyleUrl: e.MAP_STYLE_URL,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    open311JurisdictionId: e.OPEN311_JURISDICTION_ID,
    seedReports: e.SEED_REPORTS,
    dashboardDir: path.resolve(e.DASHBOARD_DIR),
    wallToken: e.WALL_TOKEN,
    corsOrigins: e.CORS_ORIGINS ? e.CORS_ORIGINS.split(',') : [],
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
  };
}
