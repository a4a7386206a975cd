/**
 * `npm run dev-token -- --role <role> --jurisdiction <code> [--sub <user id>]`: prints a bearer token signed with
 * this installation's key (AUTH_JWT_SECRET, or the dev key under OCOP_DATA_DIR), so a newcomer can try the API.
 * Development mode only: production (NODE_ENV=production) accepts no dev token, and this refuses to make one.
 */
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import { USER_ROLES, signToken } from '../api/auth';
import { ConfigError, loadConfig } from '../config';
import { devTokensEnabled, jwtSecret } from '../config/secrets';

/** A dev token's own subject: each token its own idempotency keys, inbox and rate-limit bucket. */
function devSubject(role: string, jurisdiction: string): string {
  return `dev-${role}-${jurisdiction}-${randomBytes(4).toString('hex')}`.slice(0, 128);
}

/** `8h`, `30m`, `3600` (seconds) as seconds; NaN for anything else. */
function durationSeconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
}

const program = new Command('dev-token')
  .description('Print a bearer token for trying the API with curl (development mode only)')
  .addOption(new Option('--role <role>', 'the user role').choices(USER_ROLES).makeOptionMandatory())
  .requiredOption('--jurisdiction <code>', 'commune or province GSO code, MINISTRY, or VN for nationwide')
  .option('--sub <id>', 'user id (default: dev-<role>-<jurisdiction>-<random>; for a subject, its id)')
  .option('--name <name>', 'display name')
  .option('--expires <duration>', 'lifetime, e.g. 8h or 30m, at most AUTH_TOKEN_MAX_HOURS', '8h')
  .action(
    async (opts: {
      role: (typeof USER_ROLES)[number];
      jurisdiction: string;
      sub?: string;
      name?: string;
      expires: string;
    }) => {
      const config = loadConfig();
      if (!devTokensEnabled(config)) {
        process.stderr.write(
          'Token thử nghiệm bị tắt (NODE_ENV=production hoặc AUTH_DEV_TOKENS=off). / Dev tokens are off ' +
            '(NODE_ENV=production or AUTH_DEV_TOKENS=off).\n',
        );
        process.exit(2);
      }
      const seconds = durationSeconds(opts.expires);
      if (!(seconds > 0) || seconds > config.AUTH_TOKEN_MAX_HOURS * 3600) {
        process.stderr.write(
          `--expires: thời hạn phải dương và tối đa ${config.AUTH_TOKEN_MAX_HOURS} giờ / the lifetime must be ` +
            `positive and at most ${config.AUTH_TOKEN_MAX_HOURS} h (AUTH_TOKEN_MAX_HOURS)\n`,
        );
        process.exit(2);
      }
      // A subject's user is the subject itself: the API shows it the products whose subjectId is its sub.
      const sub = opts.sub ?? (opts.role === 'subject' ? opts.jurisdiction : devSubject(opts.role, opts.jurisdiction));
      const token = await signToken(
        jwtSecret(config),
        { sub, role: opts.role, jurisdiction: opts.jurisdiction, ...(opts.name ? { name: opts.name } : {}) },
        `${Math.floor(seconds)}s`,
      );
      process.stdout.write(`${token}\n`);
    },
  );

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
