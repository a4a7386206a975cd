import { describe, expect, it } from 'vitest';
import { DEFAULT_OFFSETS, NOTICE_KINDS, scheduledReminders, type Notice } from '../../../domain/notifications';
import { renderNotice } from '../../../notifications/templates';
import { idleCommuneNotice, reportNotice } from '../../../domain/programme';
import {
  cmd,
  communeOfficer,
  ministry,
  provincialOffice,
  storyTo,
  storyToMinistry,
  Story,
  subject,
} from '../case/fixtures';
import { elapse, step } from './helpers';

/** Every notice and reminder a set of real stories produces. */
function allNotices(): Notice[] {
  const out: Notice[] = [];
  const collect = (s: Story) => out.push(...scheduledReminders(s.state, DEFAULT_OFFSETS));

  const main = storyTo('plan_approved');
  out.push(...step(main, cmd.submitDossier(), '2026-08-03', subject));
  collect(main);
  out.push(...step(main, cmd.returnDossier('2026-08-20'), '2026-08-05', communeOfficer));
  out.push(...step(main, cmd.completeDossier(), '2026-08-06', subject));
  out.push(...step(main, cmd.assess(), '2026-08-10', communeOfficer));
  out.push(...step(main, cmd.forward(), '2026-08-11', communeOfficer));
  out.push(...step(main, cmd.assignRound(), '2026-08-12', provincialOffice));
  collect(main);
  out.push(...step(main, cmd.requestEvidence('2026-09-15'), '2026-09-01', provincialOffice));
  out.push(...step(main, cmd.submitEvidence(), '2026-09-10', subject));
  out.push(...step(main, cmd.council(75.5, 4), '2026-11-12', provincialOffice));
  out.push(...step(main, cmd.decide(4), '2026-11-20', provincialOffice));
  out.push(...step(main, cmd.issue(), '2026-11-21', provincialOffice));
  collect(main);
  out.push(...step(main, cmd.proposeRevocation('2027-03-01'), '2027-03-02', provincialOffice));
  collect(main);
  out.push(...elapse(main)); // revocation overdue
  out.push(...step(main, cmd.dismissRevocation(), '2027-03-20', provincialOffice));
  out.push(...elapse(main), ...elapse(main), ...elapse(main)); // window opens, closes, certificate expires

  // A certificate art. 12.3 covers: the expiry reminder says so, and the extension is told.
  const entitled = new Story();
  entitled.run(cmd.importEntitled(), '2026-06-01', provincialOffice);
  collect(entitled);
  out.push(...step(entitled, cmd.submitDossier('re_rating'), '2026-09-01', subject));
  out.push(...step(entitled, cmd.assess(), '2026-09-02', communeOfficer));
  out.push(...step(entitled, cmd.forward(), '2026-09-03', communeOfficer));
  out.push(...elapse(entitled), ...elapse(entitled)); // decision overdue, certificate extended

  const commune = storyTo('dossier_submitted');
  out.push(...elapse(commune)); // commune check overdue

  const five = storyTo('under_review');
  out.push(...step(five, cmd.council(93, 5), '2026-11-12', provincialOffice));
  collect(five);
  out.push(...step(five, cmd.sendToMinistry(), '2026-11-25', provincialOffice));
  collect(five);
  out.push(...elapse(five)); // central decision overdue

  out.push(...step(storyTo('under_review'), cmd.council(45, 2), '2026-11-12', provincialOffice));
  const revoked = storyTo('certified');
  step(revoked, cmd.proposeRevocation('2027-03-01'), '2027-03-02', provincialOffice);
  out.push(...step(revoked, cmd.revoke('2027-03-01'), '2027-03-05', provincialOffice));
  const central = storyToMinistry();
  out.push(...step(central, cmd.centralCouncil(92, 5), '2027-03-10', ministry));

  // The yearly programme: a commune with nothing in the pipeline, and the province's report.
  const commune05503 = { code: '05503', name: 'Phường Phan Đình Phùng' };
  out.push(idleCommuneNotice({ provinceCode: '19', year: 2027, commune: commune05503, at: '2027-01-01T01:00:00Z' }));
  out.push(
    reportNotice({
      provinceCode: '19',
      provinceName: 'Tỉnh Thái Nguyên',
      year: 2027,
      point: 'year_end',
      asOf: '2027-12-31',
      figures: {
        inForceByStar: [
          { star: 4, count: 4 },
          { star: 3, count: 13 },
        ],
        inForceTotal: 17,
        byStatus: [],
        plan: { planId: 'plan:province:19:2027-2027', sentence: 'Năm 2027 công nhận 17 sản phẩm', lines: [] },
      },
      at: '2027-12-31T17:00:00Z',
    }),
  );
  return out;
}

describe('templates', () => {
  const notices = allNotices();

  it('the stories cover every notice kind', () => {
    expect(new Set(notices.map((n) => n.kind))).toEqual(new Set(NOTICE_KINDS));
  });

  it('every notice renders in both languages with every fact it names present', () => {
    for (const n of notices) {
      for (const language of ['vi', 'en'] as const) {
        const r = renderNotice(n, language);
        // `—` stands for a missing fact: a template asking for a fact its notice does not carry.
        expect({ kind: n.kind, language, text: r.text }).not.toMatchObject({ text: expect.stringContaining('—') });
        expect(r.subject.length).toBeGreaterThan(10);
        expect(r.html).toContain(`<html lang="${language}">`);
      }
    }
  });

  it('never invites a re-rating the API would refuse, and tells a certificate art. 12.3 covers what it allows', () => {
    const closed = notices.find((x) => x.kind === 're_rating_window_closed')!;
    expect(renderNotice(closed, 'vi').text).toContain('hồ sơ đánh giá lại không còn được tiếp nhận');
    expect(renderNotice(closed, 'en').text).toContain('a re-rating dossier can no longer be filed');
    const soon = notices.find((x) => x.kind === 're_rating_window_closing_soon')!;
    expect(renderNotice(soon, 'en').text).toContain(`A dossier filed after`);
    expect(renderNotice(soon, 'en').text).toContain('is refused');
    const expiring = notices.filter((x) => x.kind === 'certificate_expiring_soon');
    const covered = expiring.find((x) => x.facts.extensionUntil != null)!;
    expect(renderNotice(covered, 'en').text).toContain('at most through 16 May 2027');
    expect(renderNotice(covered, 'vi').text).toContain('không quá ngày 16/05/2027');
    const own = expiring.find((x) => x.facts.extensionUntil == null)!;
    expect(renderNotice(own, 'en').text).not.toContain('Art. 12.3');
    const extended = notices.find((x) => x.kind === 'certificate_extended')!;
    expect(renderNotice(extended, 'en').text).toContain(
      'stays valid until the re-rating result, at most through 16 May 2027',
    );
  });

  it('writes dates the language’s way and escapes HTML', () => {
    const n = notices.find((x) => x.kind === 'dossier_returned')!;
    const tricky = { ...n, facts: { ...n.facts, reason: '<script>alert("x")</script> & co' } };
    const vi = renderNotice(tricky, 'vi');
    expect(vi.subject).toBe('Hồ sơ sản phẩm Chè Shan Tuyết cần hoàn thiện trước ngày 20/08/2026');
    expect(vi.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(vi.html).not.toContain('<script>');
    expect(renderNotice(tricky, 'en').subject).toBe(
      'The dossier for Chè Shan Tuyết must be completed by 20 August 2026',
    );
  });
});
