/**
 * `npm run dev-token -- --role <role> --jurisdiction <code> [--sub <user id>]`: prints a bearer token signed with
 * this installation's key (AUTH_JWT_SECRET, or the dev key under OCOP_DATA_DIR), so a newcomer can try the API.
 */
import { Command, Option } from 'commander';
import { USER_ROLES, signToken } from '../api/auth';
import { ConfigError, loadConfig } from '../config';
import { jwtSecret } from '../config/secrets';

const program = new Command('dev-token')
  .description('Print a bearer token for trying the API with curl')
  .addOption(new Option('--role <role>', 'the user role').choices(USER_ROLES).makeOptionMandatory())
  .requiredOption('--jurisdiction <code>', 'commune or province GSO code, MINISTRY, or VN for nationwide')
  .option('--sub <id>', 'user id (default: dev-user; for a subject, the subject id given as --jurisdiction)')
  .option('--name <name>', 'display name')
  .option('--expires <duration>', 'lifetime, e.g. 8h or 30d', '8h')
  .action(
    async (opts: {
      role: (typeof USER_ROLES)[number];
      jurisdiction: string;
      sub?: string;
      name?: string;
      expires: string;
    }) => {
      const secret = jwtSecret(loadConfig());
      // A subject's user is the subject itself: the API shows it the products whose subjectId is its sub.
      const sub = opts.sub ?? (opts.role === 'subject' ? opts.jurisdiction : 'dev-user');
      const token = await signToken(
        secret,
        { sub, role: opts.role, jurisdiction: opts.jurisdiction, ...(opts.name ? { name: opts.name } : {}) },
        opts.expires,
      );
      process.stdout.write(`${token}\n`);
    },
  );

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exit(2);
});
