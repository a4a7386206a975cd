import { z } from 'zod';

/**
 * The one configuration module: every setting comes from an environment variable, is validated here, and is
 * documented in the README's configuration table. A missing or malformed value stops start-up with a message
 * naming the variable.
 */
const port = z.coerce.number().int().min(1).max(65535);
/** An optional positive integer: unset or empty leaves the SDK's or library's own default. */
const optionalCount = (max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce.number().int().min(1).max(max).optional(),
  );
/** The process roles one start runs (cli/roles.ts): `all` or a comma-separated subset. */
export const PROCESS_ROLES = ['api', 'worker', 'sender', 'migrate'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];
const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

/** Loopback hosts, where an OIDC issuer may speak plain HTTP (a provider run beside the product, or in tests). */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** One OpenID Connect provider of OIDC_PROVIDERS. */
export const oidcProviderSchema = z.strictObject({
  /** The provider's name in URLs (`/auth/oidc/<id>/login`): lowercase letters, digits and dashes. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lowercase letters, digits and dashes, at most 32'),
  /** The name people see on the sign-in page, in Vietnamese (e.g. "Cổng dịch vụ công tỉnh Thái Nguyên"). */
  name: z.string().trim().min(1).max(100),
  /** The issuer URL: discovery reads `<issuer>/.well-known/openid-configuration`. HTTPS, except on loopback. */
  issuer: z.url({ protocol: /^https?$/ }).refine((u) => {
    const url = new URL(u);
    return url.protocol === 'https:' || LOOPBACK.has(url.hostname);
  }, 'must be https (plain http only on localhost)'),
  clientId: z.string().min(1).max(500),
  clientSecret: z.string().min(1).max(500),
  /** Scopes asked for; `openid` is always among them. */
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope token'))
    .max(20)
    .optional(),
});
export type OidcProviderSetting = z.infer<typeof oidcProviderSchema>;

export const configSchema = z.object({
  /** PostgreSQL connection URL. Unset: `npm start` runs an embedded PostgreSQL under OCOP_DATA_DIR. */
  DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  /**
   * The database owner's URL, for migrations (the `migrate` role). Set: migrations run as this owner, which also
   * creates or updates DATABASE_URL's user as a login role holding only ocop_app's grants. Unset: DATABASE_URL's user
   * migrates (it must then own the database).
   */
  DATABASE_OWNER_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  /** What this process runs: `all` (the default), or a comma-separated list of api, worker, sender, migrate. */
  OCOP_ROLE: z
    .string()
    .trim()
    .default('all')
    .transform((s, ctx): ProcessRole[] => {
      const names = s
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean);
      if (names.length === 0 || (names.length === 1 && names[0] === 'all')) return [...PROCESS_ROLES];
      const unknown = names.filter((n) => !(PROCESS_ROLES as readonly string[]).includes(n));
      if (unknown.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown role ${unknown.join(', ')}; use all or ${PROCESS_ROLES.join(', ')}`,
        });
        return z.NEVER;
      }
      return PROCESS_ROLES.filter((r) => names.includes(r));
    }),
  /** Where the embedded PostgreSQL, the Temporal dev server's SQLite file and the dev JWT key live. */
  OCOP_DATA_DIR: z.string().min(1).default('.data'),
  /** Port of the embedded PostgreSQL (used only when DATABASE_URL is unset). */
  EMBEDDED_PG_PORT: port.default(54329),
  /** Size of the application's PostgreSQL connection pool. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Temporal frontend address. Unset: `npm start` runs a Temporal dev server on 127.0.0.1:7233. */
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('ocop-cases'),
  /** Ports of the dev server that `npm start` runs when TEMPORAL_ADDRESS is unset. */
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  /**
   * Which proxies' X-Forwarded-For the API believes for the caller's address (rate limits of anonymous callers):
   * `false` (none, the default), `true` (any), a number of hops, or comma-separated addresses/CIDRs.
   */
  API_TRUST_PROXY: z
    .string()
    .trim()
    .default('false')
    .transform((s): boolean | number | string[] => {
      if (s === '' || s === 'false') return false;
      if (s === 'true') return true;
      if (/^\d+$/.test(s)) return Number(s);
      return s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
    }),
  /**
   * Redis for state the API instances share (the rate limit's counts), e.g. redis://redis:6379/0. Unset: each API
   * process counts on its own, which is right for one instance only.
   */
  REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
  /** Prefix of the API's keys in Redis, to share one Redis between installations. */
  REDIS_KEY_PREFIX: z.string().trim().min(1).default('ocop:'),
  /** Worker tuning (the Temporal SDK's WorkerOptions); unset leaves the SDK's default, except the cache (1000). */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(1000),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: optionalCount(10_000),
  WORKER_MAX_CONCURRENT_ACTIVITIES: optionalCount(10_000),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: optionalCount(10_000),
  WORKER_WORKFLOW_TASK_POLLERS: optionalCount(100),
  WORKER_ACTIVITY_TASK_POLLERS: optionalCount(100),
  WORKER_WORKFLOW_THREADS: optionalCount(64),
  /** host:port where the worker serves the Temporal SDK's Prometheus metrics (e.g. 0.0.0.0:9464). Unset: off. */
  WORKER_METRICS_ADDRESS: optionalString.pipe(
    z
      .string()
      .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port')
      .optional(),
  ),
  /** HMAC key (HS256) for bearer tokens, at least 32 characters. Unset in dev: generated once under OCOP_DATA_DIR. */
  AUTH_JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  /**
   * `production` turns the development conveniences off: no HS256 dev tokens, no generated secrets or keys (start-up
   * refuses them, naming the variable). Anything else is development mode.
   */
  NODE_ENV: optionalString,
  /** HS256 dev tokens (`npm run dev-token`): `on` by default in development, refused in production. */
  AUTH_DEV_TOKENS: z.enum(['on', 'off']).optional(),
  /** The longest lifetime (exp − iat) a dev token may have, in hours. */
  AUTH_TOKEN_MAX_HOURS: z.coerce.number().min(0.1).max(24).default(24),
  /** The longest lifetime of a machine token (EdDSA, `POST /accounts/:id/machine-tokens`), in days. */
  MACHINE_TOKEN_MAX_DAYS: z.coerce.number().int().min(1).max(90).default(90),
  /** How far a token's iat may lie in the future (clocks disagree), in seconds. */
  AUTH_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(60),
  /** Minutes without a request after which a browser session ends. */
  SESSION_IDLE_MINUTES: z.coerce.number().min(1).max(1440).default(30),
  /** Hours after sign-in at which a browser session ends, however active. */
  SESSION_MAX_HOURS: z.coerce.number().min(0.1).max(168).default(12),
  /** `off` drops the cookie's Secure flag, for a plain-HTTP installation reached by another name than localhost. */
  SESSION_COOKIE_SECURE: z.enum(['on', 'off']).default('on'),
  /** Sign-in attempts (POST /auth/login) per minute from one IP address; then 429. */
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /**
   * Single sign-on providers (OpenID Connect), a JSON array of {id, name, issuer, clientId, clientSecret, scopes?}.
   * Unset or empty: sign-in with built-in accounts only.
   */
  OIDC_PROVIDERS: z
    .string()
    .trim()
    .default('')
    .transform((s, ctx): unknown => {
      if (s === '') return [];
      try {
        return JSON.parse(s);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of providers' });
        return z.NEVER;
      }
    })
    .pipe(
      z
        .array(oidcProviderSchema)
        .max(50)
        .refine((ps) => new Set(ps.map((p) => p.id)).size === ps.length, 'two providers have the same id'),
    ),
  /**
   * The product's external base URL as browsers reach it (e.g. https://ocop.example.gov.vn); single sign-on sends
   * providers back to `<PUBLIC_URL>/auth/oidc/<id>/callback`. Needed when OIDC_PROVIDERS is set.
   */
  PUBLIC_URL: optionalString.pipe(
    z
      .url({ protocol: /^https?$/ })
      .refine((u) => {
        const url = new URL(u);
        return url.search === '' && url.hash === '' && url.username === '';
      }, 'a base URL: no query, fragment or user')
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  ),
  /** Upper bound on a request body, in bytes. */
  API_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024),
  /** Ed25519 private key (PEM) that signs audit export bundles. Unset in dev: generated once under OCOP_DATA_DIR. */
  AUDIT_SIGNING_KEY_FILE: optionalString,
  /** Ed25519 private key (PKCS8 PEM) that signs certificates' QR tokens (documents/keys.ts). */
  DOCUMENT_SIGNING_KEY: optionalString,
  /** A file holding DOCUMENT_SIGNING_KEY. Neither set: generated once under OCOP_DATA_DIR, refused in production. */
  DOCUMENT_SIGNING_KEY_FILE: optionalString,
  /** Public PEM blocks of rotated document keys: the tokens they signed still verify. */
  DOCUMENT_PREVIOUS_PUBLIC_KEYS_FILE: optionalString,
  /** Minutes between the worker's signed checkpoints of every stream's head (audit/checkpoint.ts); 0 turns them off. */
  AUDIT_CHECKPOINT_MINUTES: z.coerce.number().min(0).max(10080).default(15),
  /**
   * Seconds the API waits for a command's answer; past them it answers 503 with Retry-After, and a retry with the
   * same Idempotency-Key attaches to the command still running.
   */
  API_COMMAND_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(30),
  /**
   * Seconds a process has, on SIGTERM, to finish what it holds: the API its in-flight requests, the worker its
   * workflow tasks and activities (the SDK's shutdownGraceTime), the sender the notices it is sending. It takes no new
   * work meanwhile; then it exits 0. What is still running then is left to Temporal's retries and the outbox lease.
   */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /**
   * The bin folder of PostgreSQL client tools (pg_dump, pg_restore) for `ocop db backup | restore`, when those on the
   * machine are older than the server. Unset: the pinned ones in .tools/, then /usr/lib/postgresql, then the PATH.
   */
  PG_BIN_DIR: optionalString,
  /** Requests per minute the API accepts from one principal (or one IP address when anonymous); then 429. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** SMTP server for notification e-mail, e.g. smtp://user:pass@mail.example.vn:587 or smtps://…:465. Unset: e-mail off. */
  SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/ }).optional()),
  /** Sender of notification e-mail; its domain also names each Message-ID. */
  MAIL_FROM: z.string().trim().min(3).default('OCOP <thongbao@ocop.invalid>'),
  /** HMAC-SHA256 key signing webhook bodies (X-OCOP-Signature), at least 16 characters. Unset: webhooks off. */
  WEBHOOK_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** Delivery attempts per notification and recipient before it is dead-lettered. */
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** Seconds a sender owns a claimed notification; past it, an unfinished send counts as abandoned. */
  NOTIFY_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  /** Seconds before a failed notification is tried again; doubles per attempt, at most 30 minutes. */
  NOTIFY_RETRY_SECONDS: z.coerce.number().int().min(1).max(1800).default(30),
  /** Notifications each worker's sender delivers at once. */
  NOTIFY_SENDER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Seconds between the sender's sweeps for due retries and abandoned sends (new notices wake it at once). */
  NOTIFY_POLL_SECONDS: z.coerce.number().min(0.1).max(300).default(5),
  /** Reminder offsets (notifications/README.md); defaults follow QĐ 26/2026. */
  NOTIFY_EXPIRY_REMINDER_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  NOTIFY_RE_RATING_CLOSING_DAYS: z.coerce.number().int().min(120).max(180).default(130),
  NOTIFY_COMMUNE_REMINDER_WORKING_DAYS: z.coerce.number().int().min(1).max(14).default(3),
  NOTIFY_ROUND_CUT_OFF_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  NOTIFY_DECISION_REMINDER_DAYS: z.coerce.number().int().min(1).max(44).default(7),
  NOTIFY_REVOCATION_REMINDER_DAYS: z.coerce.number().int().min(1).max(14).default(3),
  /** Local hour (Vietnam, 0–23) at which reminders go out. */
  NOTIFY_REMINDER_HOUR: z.coerce.number().int().min(0).max(23).default(8),
  /** `on`: a worker creates (or updates) the Temporal Schedules at start (temporal/schedules.ts); `off` leaves them. */
  SCHEDULES: z.enum(['on', 'off']).default('on'),
  /** The provinces with a yearly programme Schedule: `all` (every current province) or comma-separated codes. */
  PROGRAMME_PROVINCES: z
    .string()
    .trim()
    .default('all')
    .refine((v) => v === 'all' || /^\d{2}(,\d{2})*$/.test(v.replace(/\s/g, '')), 'all, or codes such as 19,01')
    .transform((v) => (v === 'all' ? ('all' as const) : v.replace(/\s/g, '').split(','))),
  /** Local hour (Vietnam, 0–23) of the daily open-data export. */
  OPEN_DATA_HOUR: z.coerce.number().int().min(0).max(23).default(2),
});

export type Config = z.infer<typeof configSchema>;

/** Thrown when the environment does not describe a valid configuration; names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '?'), message: issue.message })),
    );
  }
  if (parsed.data.OIDC_PROVIDERS.length > 0 && parsed.data.PUBLIC_URL === undefined) {
    throw new ConfigError([
      { variable: 'PUBLIC_URL', message: 'needed with OIDC_PROVIDERS: the providers send browsers back to it' },
    ]);
  }
  return parsed.data;
}
