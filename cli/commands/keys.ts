import type { Command } from 'commander';
import { ensureSigningKey, rotateKeys } from '../../api/machine-tokens';
import { listSigningKeys, retireSigningKey, type StoredSigningKey } from '../../db/signing-keys';
import { CliError, ExitCode, out, printJson, vietnamTime, withDatabase } from './shared';

/*
 * `ocop keys`: the Ed25519 keys that sign machine tokens. Rotation without downtime: `rotate` makes a new key
 * current (new tokens are signed with it) while the older ones still verify; once their tokens are replaced,
 * `retire <kid>` stops them at once. Output in Vietnamese first; `--json` keeps ISO-8601 UTC.
 */

const statusOf = (k: StoredSigningKey) =>
  k.current ? 'đang ký / current' : k.retiredAt ? 'đã ngừng / retired' : 'chỉ xác minh / verifies only';

const asJson = (k: StoredSigningKey) => ({
  kid: k.kid,
  current: k.current,
  createdAt: k.createdAt.toISOString(),
  retiredAt: k.retiredAt?.toISOString() ?? null,
  publicJwk: k.publicJwk,
});

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('khoá ký mã truy cập cho máy / machine-token signing keys');
  keys
    .command('list')
    .description('mọi khoá, mới nhất trước / every key, newest first')
    .option('--json', 'print the keys as JSON')
    .action(async (options: { json?: boolean }) => {
      await withDatabase(async (sql) => {
        const all = await listSigningKeys(sql);
        if (options.json) return printJson(all.map(asJson));
        if (all.length === 0) {
          out('Chưa có khoá nào; khoá đầu tiên được tạo khi khởi động. / No key yet; the first is made at start-up.');
          return;
        }
        out('kid\ttạo lúc / created\tngừng lúc / retired\ttrạng thái / status');
        for (const k of all) {
          out(`${k.kid}\t${vietnamTime(k.createdAt)}\t${k.retiredAt ? vietnamTime(k.retiredAt) : '-'}\t${statusOf(k)}`);
        }
      });
    });
  keys
    .command('rotate')
    .description(
      'tạo khoá mới để ký; khoá cũ vẫn xác minh đến khi ngừng / make a new signing key; older keys verify until retired',
    )
    .option('--json', 'print the new key as JSON')
    .action(async (options: { json?: boolean }) => {
      await withDatabase(async (sql) => {
        // A fresh installation first gets its first key, so a rotation always leaves the one before it verifying.
        const before = await ensureSigningKey(sql);
        const key = await rotateKeys(sql);
        if (options.json) return printJson({ ...asJson(key), previous: before.key.kid });
        out(`Khoá ký mới / new signing key: ${key.kid} (${vietnamTime(key.createdAt)})`);
        out(
          `Khoá ${before.key.kid} vẫn xác minh mã đã cấp; ngừng nó bằng \`ocop keys retire ${before.key.kid}\` khi ` +
            `các mã đó đã được thay. / Key ${before.key.kid} still verifies the tokens it signed; retire it once ` +
            'they are replaced.',
        );
      });
    });
  keys
    .command('retire <kid>')
    .description('ngừng một khoá: mã do nó ký bị từ chối ngay / retire a key: the tokens it signed are refused at once')
    .action(async (kid: string) => {
      await withDatabase(async (sql) => {
        const outcome = await retireSigningKey(sql, kid);
        switch (outcome) {
          case 'retired':
            out(`Đã ngừng khoá / retired key ${kid}; nó không còn trong /.well-known/jwks.json.`);
            return;
          case 'unknown':
            throw new CliError(`không có khoá / no key ${kid} (ocop keys list)`, ExitCode.Failed);
          case 'current':
            throw new CliError(
              `khoá ${kid} đang ký; chạy \`ocop keys rotate\` trước / key ${kid} is current; rotate first`,
              ExitCode.Failed,
            );
          case 'already_retired':
            throw new CliError(`khoá ${kid} đã ngừng từ trước / key ${kid} was already retired`, ExitCode.Failed);
        }
      });
    });
}
