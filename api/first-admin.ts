import type { Sql } from '../db';
import { setPasswordHash } from '../db/credentials';
import { NATIONWIDE } from '../domain/accounts';
import { countAccounts, getAccount } from '../read-models/accounts/queries';
import { accountIdFor, derivedId, executeAccountCommand } from './accounts';
import { generatePassword, hashPassword } from './passwords';

/*
 * The first admin of a fresh installation: with no account at all, `npm start` creates `admin`, a nationwide admin
 * with a generated password, and prints it once. Two instances starting at once create it once (the same command
 * ids), and only the one whose append recorded it prints the password; a later start creates nothing.
 */

export const FIRST_ADMIN = 'admin';
const SYSTEM = { userId: 'system:first-start', role: 'system', office: NATIONWIDE } as const;

export async function ensureFirstAdmin(sql: Sql): Promise<{ username: string; password: string } | null> {
  const accountId = accountIdFor(FIRST_ADMIN);
  const existing = await getAccount(sql, accountId);
  if (!existing && (await countAccounts(sql)) > 0) return null;
  let created: { username: string; password: string } | null = null;
  if (!existing) {
    const password = generatePassword();
    const hash = await hashPassword(password);
    await executeAccountCommand(sql, {
      actor: SYSTEM,
      accountId,
      commandId: 'first-admin',
      command: {
        type: 'CreateAccount',
        data: {
          username: FIRST_ADMIN,
          name: 'Quản trị viên đầu tiên',
          homeJurisdiction: NATIONWIDE,
          reason: 'Tài khoản quản trị đầu tiên của cài đặt mới / first admin of a new installation',
          initialPassword: true,
        },
      },
      alsoWrite: async (tx) => {
        await setPasswordHash(tx, accountId, hash);
        created = { username: FIRST_ADMIN, password };
      },
    });
  }
  if (existing && existing.grants.length > 0) return null;
  await executeAccountCommand(sql, {
    actor: SYSTEM,
    accountId,
    commandId: 'first-admin-grant',
    command: {
      type: 'AddGrant',
      data: {
        grantId: derivedId('G', 'first-admin-grant'),
        role: 'admin',
        jurisdiction: NATIONWIDE,
        reason: 'Quyền quản trị toàn quốc của tài khoản đầu tiên / nationwide admin grant of the first account',
      },
    },
  });
  return created;
}
