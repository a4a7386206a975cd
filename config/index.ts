import { z } from 'zod';

/**
 * The one configuration module: every setting comes from an environment variable, is validated here, and is
 * documented in the README's configuration table. A missing or malformed value stops start-up with a message
 * naming the variable.
 */
const port = z.coerce.number().int().min(1).max(65535);
const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

export const configSchema = z.object({
  /** PostgreSQL connection URL. Unset: `npm start` runs an embedded PostgreSQL under OCOP_DATA_DIR. */
  DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
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
  /** HMAC key (HS256) for bearer tokens, at least 32 characters. Unset in dev: generated once under OCOP_DATA_DIR. */
  AUTH_JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  /** Upper bound on a request body, in bytes. */
  API_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
  return parsed.data;
}
