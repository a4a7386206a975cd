import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OFFSETS,
  dueReminders,
  keepSent,
  nextReminderAt,
  scheduledReminders,
} from '../../../domain/notifications';
import {
  COMMUNE,
  PROVINCE,
  SUBJECT,
  Story,
  cmd,
  communeOfficer,
  provincialOffice,
  storyTo,
  storyToMinistry,
  subject,
} from '../case/fixtures';

const P = 'P-TRA-SHAN';
/** The imported product's code (QĐ 26/2026 numbering). */
const I = '01-00004-7-2026';
/** 08:00 in Vietnam on `date`: reminders go out at the start of the office day. */
const eight = (date: string) => `${date}T01:00:00.000Z`;

function imported(issuedOn: string, expiresOn: string): Story {
  const s = new Story();
  s.run(
    cmd.importProduct({ star: 4, level: 'province', issuedOn, expiresOn, ruleSetId: 'QD26_2026' }),
    '2026-06-20',
    provincialOffice,
  );
  return s;
}

describe('reminders implied by the state', () => {
  it('certificate expiring 2029-06-15: reminder on 2029-05-16, window closing soon at T−130', () => {
    const s = imported('2026-06-15', '2029-06-15');
    expect(scheduledReminders(s.state, DEFAULT_OFFSETS)).toEqual([
      {
        key: `${I}:re_rating_window_closing_soon:2029-02-15`,
        kind: 're_rating_window_closing_soon',
        productId: I,
        audience: 'subject',
        audienceCode: SUBJECT,
        dueAt: eight('2029-02-05'),
        staleAt: '2029-02-15T16:59:59.999Z',
        facts: expect.objectContaining({ closes: '2029-02-15', expiresOn: '2029-06-15' }) as Record<string, unknown>,
      },
      {
        key: `${I}:certificate_expiring_soon:2029-06-15`,
        kind: 'certificate_expiring_soon',
        productId: I,
        audience: 'subject',
        audienceCode: SUBJECT,
        dueAt: eight('2029-05-16'),
        staleAt: '2029-06-15T16:59:59.999Z',
        facts: expect.objectContaining({ expiresOn: '2029-06-15', daysLeft: 30 }) as Record<string, unknown>,
      },
    ]);
  });

  it('follows the deployment offsets, and keys by the deadline so a changed offset never re-sends', () => {
    const s = storyTo('certified');
    const byDefault = scheduledReminders(s.state, DEFAULT_OFFSETS);
    const custom = scheduledReminders(s.state, {
      ...DEFAULT_OFFSETS,
      expiryReminderDays: 60,
      reRatingClosingSoonDaysBeforeExpiry: 125,
      reminderLocalHour: 9,
    });
    expect(byDefault.map((r) => [r.kind, r.dueAt])).toEqual([
      ['re_rating_window_closing_soon', eight('2029-07-14')],
      ['certificate_expiring_soon', eight('2029-10-22')],
    ]);
    expect(custom.map((r) => [r.kind, r.dueAt])).toEqual([
      ['re_rating_window_closing_soon', '2029-07-19T02:00:00.000Z'],
      ['certificate_expiring_soon', '2029-09-22T02:00:00.000Z'],
    ]);
    expect(custom.map((r) => r.key)).toEqual(byDefault.map((r) => r.key));
  });

  it('stops reminding of the window once it closed, and of expiry while a re-rating is under way', () => {
    const s = storyTo('certified');
    s.elapse(); // window opens
    s.elapse(); // window closes
    expect(scheduledReminders(s.state, DEFAULT_OFFSETS).map((r) => r.kind)).toEqual(['certificate_expiring_soon']);

    const reRating = storyTo('certified');
    reRating.elapse();
    reRating.run(cmd.submitDossier('re_rating'), '2029-06-01', subject);
    expect(scheduledReminders(reRating.state, DEFAULT_OFFSETS).map((r) => r.kind)).not.toContain(
      'certificate_expiring_soon',
    );
  });

  it('commune check: 3 working days left, counted over Tết 2027', () => {
    const s = storyTo('plan_approved');
    // Received Friday 2027-01-15; the 15th working day is Friday 2027-02-12 because Tết closes 05–11/02.
    s.run(cmd.submitDossier(), '2027-01-15', subject);
    const commune = scheduledReminders(s.state, DEFAULT_OFFSETS).find((r) => r.kind === 'commune_check_reminder');
    expect(commune).toMatchObject({
      key: `${P}:commune_check_reminder:2027-02-12`,
      audience: 'commune',
      audienceCode: COMMUNE,
      // Left after Tuesday 02/02: Wednesday 03/02, Thursday 04/02 and Friday 12/02, ten calendar days later.
      dueAt: eight('2027-02-02'),
      staleAt: '2027-02-12T16:59:59.999Z',
      facts: { communeDue: '2027-02-12', workingDaysLeft: 3 },
    });
  });

  it('province: round cut-off approaching while the dossier is at the commune, gone once forwarded', () => {
    const s = storyTo('dossier_submitted');
    expect(scheduledReminders(s.state, DEFAULT_OFFSETS).map((r) => [r.kind, r.audience, r.dueAt, r.staleAt])).toEqual([
      ['commune_check_reminder', 'commune', eight('2026-08-19'), '2026-08-24T16:59:59.999Z'],
      ['round_cut_off_approaching', 'province', eight('2026-10-23'), '2026-10-29T17:00:00.000Z'],
    ]);
    s.run(cmd.assess(), '2026-08-10', communeOfficer);
    s.run(cmd.forward(), '2026-08-11', communeOfficer);
    expect(scheduledReminders(s.state, DEFAULT_OFFSETS)).toEqual([]);
  });

  it('decision deadlines: the province for its round, the Ministry for the central round', () => {
    const s = storyTo('under_review');
    const provincial = scheduledReminders(s.state, DEFAULT_OFFSETS);
    expect(provincial).toHaveLength(1);
    const due = s.state.status === 'under_review' ? s.state.evaluation.decisionDue : null;
    expect(due).not.toBeNull();
    expect(provincial[0]).toMatchObject({
      kind: 'decision_due_soon',
      audience: 'province',
      audienceCode: PROVINCE,
      key: `${P}:decision_due_soon:${due}`,
    });

    const central = storyToMinistry();
    const atMinistry = scheduledReminders(central.state, DEFAULT_OFFSETS);
    expect(atMinistry.map((r) => [r.kind, r.audience, r.audienceCode])).toEqual([
      ['decision_due_soon', 'ministry', 'MINISTRY'],
    ]);
  });

  it('potential 5★ not yet sent: the province is reminded of the central cut-off', () => {
    const s = storyTo('under_review');
    s.run(cmd.council(93, 5), '2026-11-12', provincialOffice);
    const central = scheduledReminders(s.state, DEFAULT_OFFSETS).find((r) => r.kind === 'central_cut_off_approaching');
    // Scored 12/11/2026: the next central cut-off is 30/01/2027.
    expect(central).toMatchObject({
      audience: 'province',
      dueAt: eight('2027-01-23'),
      facts: { cutOff: '2027-01-30' },
    });
  });

  it('revocation: the 15-day deadline, 3 days before', () => {
    const s = storyTo('certified');
    s.run(cmd.proposeRevocation('2027-03-01'), '2027-03-02', provincialOffice);
    const r = scheduledReminders(s.state, DEFAULT_OFFSETS).find((n) => n.kind === 'revocation_due_soon');
    expect(r).toMatchObject({
      key: `${P}:revocation_due_soon:2027-03-16`,
      audience: 'province',
      dueAt: eight('2027-03-13'),
    });
  });

  it('nothing for a case without deadlines', () => {
    expect(scheduledReminders(storyTo('idea_registered').state, DEFAULT_OFFSETS)).toEqual([]);
    expect(scheduledReminders({ status: 'none' }, DEFAULT_OFFSETS)).toEqual([]);
  });
});

describe('which reminders to send now', () => {
  it('a late reminder goes once at once while its deadline is ahead, and is dropped after it', () => {
    // Imported 20 days before expiry: the 30-day reminder is already late.
    const s = imported('2026-06-15', '2029-06-15');
    const reminders = scheduledReminders(s.state, DEFAULT_OFFSETS);
    const now = '2029-05-26T03:00:00.000Z';
    expect(dueReminders(reminders, now, new Set()).map((r) => r.kind)).toEqual(['certificate_expiring_soon']);
    expect(nextReminderAt(reminders, now, new Set())).toBe(eight('2029-05-16'));
    const sent = new Set([`${I}:certificate_expiring_soon:2029-06-15`]);
    expect(dueReminders(reminders, now, sent)).toEqual([]);
    expect(nextReminderAt(reminders, now, sent)).toBeNull();
    expect(dueReminders(reminders, '2029-06-15T17:00:00.000Z', new Set())).toEqual([]);
  });

  it('nothing before its time; the next wake-up is the earliest unsent reminder', () => {
    const reminders = scheduledReminders(storyTo('certified').state, DEFAULT_OFFSETS);
    expect(dueReminders(reminders, '2029-07-14T00:59:59.999Z', new Set())).toEqual([]);
    expect(dueReminders(reminders, eight('2029-07-14'), new Set()).map((r) => r.kind)).toEqual([
      're_rating_window_closing_soon',
    ]);
    expect(nextReminderAt(reminders, '2027-01-01T00:00:00.000Z', new Set())).toBe(eight('2029-07-14'));
    expect(keepSent([`${P}:re_rating_window_closing_soon:2029-07-24`, 'gone:key:x'], reminders)).toEqual([
      `${P}:re_rating_window_closing_soon:2029-07-24`,
    ]);
  });
});
