import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

/** A fixed window: at most `max` requests per `windowS` seconds. */
export interface RateLimit {
  max: number;
  windowS: number;
}
export const RATE_LIMIT_SCOPES = ['reports', 'login', 'assistant', 'classify', 'open311', 'public_read', 'follow', 'open311_read'] as const;
export type RateLimitScope = (typeof RATE_LIMIT_SCOPES)[number];

const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;
function parseLimit(text: string): RateLimit {
  const [, max, n, unit] = /^(\d+)\/(\d+)([smh])$/.exec(text)!;
  return { max: Number(max), windowS: Number(n) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS] };
}

/** "<per address>,<per client>", each "N/<window>" with the window in s, m or h, e.g. "60/10m,10/10m". */
const rateLimitSetting = (fallback: string) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default(fallback)
      .pipe(z.string().regex(/^[1-9]\d{0,6}\/[1-9]\d{0,4}[smh],[1-9]\d{0,6}\/[1-9]\d{0,4}[smh]$/, 'must be "<per address>,<per client>", each like 60/10m (s, m or h)'))
      .transform((v) => {
        const [ip, client] = v.split(',').map(parseLimit) as [RateLimit, RateLimit];
        return { ip, client };
      })
      .refine((l) => l.ip.windowS <= 86_400 && l.client.windowS <= 86_400, 'windows must be at most 24h'),
  );

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
  RATE_LIMITS: z.preprocess(emptyAsUndefined, z.enum(['on', 'off'], { error: 'must be on or off' }).default('on')),
  TRUST_PROXY: z.preprocess(
    emptyAsUndefined,
    z.string().regex(/^(true|false|[0-9])$/, 'must be false, true, or the number of proxies in front (0–9)').default('false'),
  ),
  RATE_LIMIT_REPORTS: rateLimitSetting('60/10m,10/10m'),
  RATE_LIMIT_LOGIN: rateLimitSetting('30/10m,10/10m'),
  RATE_LIMIT_ASSISTANT: rateLimitSetting('60/1m,20/1m'),
  RATE_LIMIT_CLASSIFY: rateLimitSetting('120/1m,60/1m'),
  RATE_LIMIT_OPEN311: rateLimitSetting('300/10m,300/10m'),
  // Open311 GET requests pages of up to 1,000 reports; per address (the second figure counts nothing today: reads carry no key).
  RATE_LIMIT_OPEN311_READ: rateLimitSetting('60/1m,60/1m'),
  // Webhooks to loopback, private, link-local or metadata addresses are refused unless this is true (tests, a receiver on the same LAN).
  WEBHOOK_ALLOW_PRIVATE: z.preprocess(emptyAsUndefined, z.enum(['true', 'false'], { error: 'must be true or false' }).default('false')),
  // Anonymous map and figure reads: a wall refreshing and a citizen panning stay far below it.
  RATE_LIMIT_PUBLIC_READ: rateLimitSetting('600/1m,300/1m'),
  // The second number also caps the follows (and confirmation e-mails) of one e-mail address.
  RATE_LIMIT_FOLLOW: rateLimitSetting('30/10m,10/10m'),
  DB_STATEMENT_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(3_600_000).default(30_000)),
  MIN_FILL_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(600).default(3)),
  DUPLICATE_WINDOW_MINUTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(7 * 24 * 60).default(30)),
  RETENTION_MONTHS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(240).default(24)),
  // Server processes under the supervisor; unset: one per available core with PostgreSQL, one with the embedded engine.
  WORKERS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(256).optional()),
  // "none" is spelled out so that an empty value cannot silently turn the second factor off.
  MFA_REQUIRED_ROLES: z.preprocess(
    emptyAsUndefined,
    z.string().default('admin,dispatcher').pipe(
      z.string().regex(/^(none|(admin|dispatcher|officer|leader)(,(admin|dispatcher|officer|leader))*)$/, 'must be "none" or a comma-separated list of admin, dispatcher, officer, leader'),
    ),
  ),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  mediaDir: string;
  poolSize: number;
  /** Server processes the supervisor runs (each with its own pool of poolSize connections). */
  workers: number;
  /** PostgreSQL cancels an app statement running longer than this (503 to the client); 0: no limit. */
  statementTimeoutMs: number;
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
  rateLimits: {
    enabled: boolean;
    /** Proxies in front whose X-Forwarded-For entries are believed; 0 means the socket address. */
    trustProxy: number;
    scopes: Record<RateLimitScope, { ip: RateLimit; client: RateLimit }>;
  };
  /** A form sent faster than this after it was opened waits for review; 0 turns the check off. */
  minFillSeconds: number;
  /** The same text from the same client within this many minutes is refused as a duplicate; 0 (or RATE_LIMITS=off) turns it off. */
  duplicateWindowMinutes: number;
  /** Reporter contact is anonymised this many months after a report was closed. */
  retentionMonths: number;
  /** Webhooks may target loopback, private and link-local addresses (WEBHOOK_ALLOW_PRIVATE). */
  webhookAllowPrivate: boolean;
  /** Staff roles that must sign in with a TOTP second factor. */
  mfaRequiredRoles: ('admin' | 'dispatcher' | 'officer' | 'leader')[];
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
  if (!e.DATABASE_URL && e.WORKERS !== undefined && e.WORKERS > 1) {
    throw new ConfigError([`WORKERS: the embedded engine runs one worker (one process owns DATA_DIR); set DATABASE_URL to run more (got ${JSON.stringify(env.WORKERS)})`]);
  }
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    mediaDir: path.resolve(e.MEDIA_DIR ?? path.join(dataDir, 'media')),
    poolSize: e.DB_POOL_SIZE,
    workers: e.WORKERS ?? (e.DATABASE_URL ? os.availableParallelism() : 1),
    statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
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
    rateLimits: {
      enabled: e.RATE_LIMITS === 'on',
      trustProxy: e.TRUST_PROXY === 'true' ? 1 : e.TRUST_PROXY === 'false' ? 0 : Number(e.TRUST_PROXY),
      scopes: {
        reports: e.RATE_LIMIT_REPORTS, login: e.RATE_LIMIT_LOGIN, assistant: e.RATE_LIMIT_ASSISTANT,
        classify: e.RATE_LIMIT_CLASSIFY, open311: e.RATE_LIMIT_OPEN311,
        public_read: e.RATE_LIMIT_PUBLIC_READ, follow: e.RATE_LIMIT_FOLLOW, open311_read: e.RATE_LIMIT_OPEN311_READ,
      },
    },
    minFillSeconds: e.MIN_FILL_SECONDS,
    // The duplicate check also counts one client's repeats, so RATE_LIMITS=off (benchmarks, load tests) lifts it too.
    duplicateWindowMinutes: e.RATE_LIMITS === 'on' ? e.DUPLICATE_WINDOW_MINUTES : 0,
    retentionMonths: e.RETENTION_MONTHS,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE === 'true',
    mfaRequiredRoles: e.MFA_REQUIRED_ROLES === 'none' ? [] : [...new Set(e.MFA_REQUIRED_ROLES.split(','))] as Config['mfaRequiredRoles'],
  };
}
