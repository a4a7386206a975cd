import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../api/paging';
import type { Principal } from '../../api/auth';
import { matchesVersion } from '../../api/commands';
import { isOwnSheet, seesOpenCouncilScores } from '../../read-models/councils/confidentiality';
import { canSee } from '../../read-models/scope';

const c = { provinceCode: '19', communeCode: '05443', subjectId: 'HTX-1' };
const user = (role: Principal['role'], jurisdiction: string, sub = 'u'): Principal => ({ sub, role, jurisdiction });

describe('who sees a case', () => {
  it.each([
    [user('subject', 'HTX-1', 'HTX-1'), true],
    [user('subject', 'HTX-2', 'HTX-2'), false],
    [user('commune_officer', '05443'), true],
    [user('commune_officer', '05446'), false],
    [user('provincial_office', '19'), true],
    [user('provincial_office', '20'), false],
    [user('council_member', '19'), true],
    [user('council_member', '20'), false],
    [user('auditor', '19'), true],
    [user('auditor', '05443'), true],
    [user('auditor', '20'), false],
    [user('auditor', 'VN'), true],
    [user('ministry', 'MINISTRY'), true],
    [user('admin', 'VN'), true],
  ])('%o → %s', (u, expected) => {
    expect(canSee(u, c)).toBe(expected);
  });
});

describe('whose council scores a caller sees while the council scores', () => {
  it.each([
    [user('provincial_office', '19'), true],
    [user('ministry', 'MINISTRY'), true],
    [user('admin', 'VN'), true],
    [user('auditor', '19'), true],
    [user('council_member', '19'), false],
    [user('commune_officer', '05443'), false],
    [user('subject', 'HTX-1', 'HTX-1'), false],
  ])('every sheet: %o → %s', (u, expected) => {
    expect(seesOpenCouncilScores(u, c)).toBe(expected);
  });

  it('a member sees their own sheet only', () => {
    expect(isOwnSheet(user('council_member', '19', 'm-1'), 'm-1')).toBe(true);
    expect(isOwnSheet(user('council_member', '19', 'm-1'), 'm-2')).toBe(false);
    expect(isOwnSheet(user('subject', 'm-1', 'm-1'), 'm-1')).toBe(false);
  });
});

describe('If-Match', () => {
  it('matches the version in any ETag spelling, or *', () => {
    expect(matchesVersion('"3"', 3)).toBe(true);
    expect(matchesVersion('W/"3"', 3)).toBe(true);
    expect(matchesVersion('3', 3)).toBe(true);
    expect(matchesVersion('*', 9)).toBe(true);
    expect(matchesVersion('"2", "3"', 3)).toBe(true);
    expect(matchesVersion('"2"', 3)).toBe(false);
    expect(matchesVersion('"33"', 3)).toBe(false);
  });
});

describe('list cursors', () => {
  it('round-trip and refuse what the API did not write', () => {
    const cursor = { at: '2026-11-23T01:02:03.456Z', id: 'P0a1b' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor('not-a-cursor')).toBeNull();
    expect(decodeCursor(Buffer.from('[1,2]').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from('["yesterday","P1"]').toString('base64url'))).toBeNull();
  });
});
