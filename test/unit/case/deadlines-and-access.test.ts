import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DomainError,
  SYSTEM_ACTOR,
  commandSchema,
  decide,
  evolve,
  initialState,
  nextDeadline,
  record,
  summarize,
} from '../../../domain';
import type { Actor, CaseState, CommandInput } from '../../../domain';
import { given } from './given';
import {
  type Story,
  admin,
  auditor,
  cmd,
  communeOfficer,
  councilMember,
  meta,
  ministry,
  otherCommuneOfficer,
  otherProvince,
  otherSubject,
  provincialOffice,
  storyTo,
  subject,
} from './fixtures';

function filedOn(date: string): Story {
  const s = storyTo('plan_approved');
  s.run(cmd.submitDossier(), date, subject);
  return s;
}

describe('commune check: 15 working days in Vietnam', () => {
  it('skips the National Day holidays (1–2 September 2026)', () => {
    const s = filedOn('2026-08-25');
    expect(s.state.status === 'dossier_submitted' && s.state.evaluation.communeDue).toBe('2026-09-17');
    expect(nextDeadline(s.state)).toEqual({
      kind: 'commune_check',
      due: '2026-09-17T16:59:59.999Z',
      command: { type: 'MarkCommuneCheckOverdue', data: {} },
    });
  });

  it('skips the Tết holidays of 2027', () => {
    const s = filedOn('2027-02-01');
    expect(s.state.status === 'dossier_submitted' && s.state.evaluation.communeDue).toBe('2027-03-01');
  });

  it('counts from the next working day when filed on a Saturday', () => {
    const s = filedOn('2026-08-29');
    expect(s.state.status === 'dossier_submitted' && s.state.evaluation.communeDue).toBe('2026-09-22');
  });

  it('flags the commune once, and the assessment still goes on', () => {
    const s = filedOn('2026-08-25');
    expect(s.elapse()).toEqual([{ type: 'CommuneCheckOverdue', data: { due: '2026-09-17' } }]);
    expect(summarize(s.state)).toMatchObject({ stage: 'dossier_submitted', overdue: true });
    expect(nextDeadline(s.state)).toBeNull();
    given(s.events)
      .when(cmd.system('MarkCommuneCheckOverdue'), meta('2026-09-30', SYSTEM_ACTOR))
      .thenRejects('not_due');
    s.run(cmd.assess(), '2026-09-18', communeOfficer);
    s.run(cmd.forward(), '2026-09-18', communeOfficer);
    expect(s.state.status).toBe('forwarded');
  });

  it('is no longer pending once the dossier has left the commune', () => {
    const s = filedOn('2026-08-25');
    s.run(cmd.assess(), '2026-08-26', communeOfficer);
    s.run(cmd.forward(), '2026-08-27', communeOfficer);
    expect(nextDeadline(s.state)).toBeNull();
  });
});

describe('deadlines of cases with nothing pending', () => {
  it('none before a case exists, after withdrawal, or before a dossier', () => {
    expect(nextDeadline(initialState)).toBeNull();
    expect(nextDeadline(storyTo('plan_approved').state)).toBeNull();
  });
});

describe('who may act', () => {
  const cases: [string, () => Story, CommandInput, string, Actor][] = [
    [
      'another commune accepts an idea',
      () => storyTo('idea_registered'),
      cmd.acceptIdea(),
      '2026-06-02',
      otherCommuneOfficer,
    ],
    ['a subject accepts its own idea', () => storyTo('idea_registered'), cmd.acceptIdea(), '2026-06-02', subject],
    ['another subject submits a plan', () => storyTo('idea_accepted'), cmd.submitPlan(), '2026-06-03', otherSubject],
    [
      'the province approves a plan',
      () => storyTo('plan_submitted'),
      cmd.approvePlan(),
      '2026-06-04',
      provincialOffice,
    ],
    [
      'another subject files the dossier',
      () => storyTo('plan_approved'),
      cmd.submitDossier(),
      '2026-08-03',
      otherSubject,
    ],
    ['the province writes Form 03', () => storyTo('dossier_submitted'), cmd.assess(), '2026-08-04', provincialOffice],
    ['another province takes the round', () => storyTo('forwarded'), cmd.assignRound(), '2026-08-12', otherProvince],
    [
      'a council member records the result',
      () => storyTo('under_review'),
      cmd.council(75, 4),
      '2026-11-12',
      councilMember,
    ],
    [
      'the Ministry records a provincial result',
      () => storyTo('under_review'),
      cmd.council(75, 4),
      '2026-11-12',
      ministry,
    ],
    ['an auditor issues a certificate', () => storyTo('recognised'), cmd.issue(), '2026-11-21', auditor],
    ['an admin issues a certificate', () => storyTo('recognised'), cmd.issue(), '2026-11-21', admin],
    ['the commune revokes', () => storyTo('certified'), cmd.revoke('2027-01-01'), '2027-01-02', communeOfficer],
  ];
  it.each(cases)('%s is forbidden', (_name, story, command, date, actor) => {
    const error = given(story().events).when(command, meta(date, actor)).thenRejects('forbidden');
    expect(error.message).toMatch(/^Only /);
  });
});

describe('input validation', () => {
  it('rejects malformed data and metadata as invalid', () => {
    const s = storyTo('under_review');
    given(s.events).when(cmd.council(120, 5), meta('2026-11-12', provincialOffice)).thenRejects('invalid');
    given(s.events)
      .when(cmd.council(75, 4), { now: '12 Nov 2026', actor: provincialOffice })
      .thenRejects('invalid', /metadata/);
    given([])
      .when({ type: 'RegisterIdea', data: { productId: 'x' } } as unknown as CommandInput, meta('2026-06-01', subject))
      .thenRejects('invalid');
    given([])
      .when(cmd.returnDossier('2026-02-30'), meta('2026-06-01', subject))
      .thenRejects('invalid', /calendar date/);
  });

  it('turns a date outside the known calendar into invalid, not a crash', () => {
    given([])
      .when(cmd.registerIdea(), meta('2018-06-01', subject))
      .thenRejects('invalid', /No OCOP rule-set/);
  });

  it('the schema accepts what the fixtures send and fills defaults', () => {
    const parsed = commandSchema.parse({ type: 'ExpireCertificate' as const, data: {} });
    expect(parsed).toEqual({ type: 'ExpireCertificate', data: {} });
    expect(commandSchema.safeParse({ type: 'Nope', data: {} }).success).toBe(false);
  });
});

describe('purity', () => {
  function deepFreeze<T>(value: T): T {
    if (value && typeof value === 'object') {
      Object.values(value).forEach(deepFreeze);
      Object.freeze(value);
    }
    return value;
  }

  it('decide neither mutates the state nor depends on anything but its inputs', () => {
    const s = storyTo('under_review');
    const state = deepFreeze(structuredClone(s.state));
    const a = decide(cmd.council(75.5, 4), state, meta('2026-11-12', provincialOffice));
    const b = decide(cmd.council(75.5, 4), state, meta('2026-11-12', provincialOffice));
    expect(a).toEqual(b);
  });

  it('state and events survive a JSON round trip unchanged', () => {
    const s = storyTo('certified');
    expect(JSON.parse(JSON.stringify(s.state))).toEqual(s.state);
    const replayed = s.events.map((e) => JSON.parse(JSON.stringify(e))).reduce(evolve, initialState);
    expect(replayed).toEqual(s.state);
  });

  it('record stamps each event with its instant and the rule-set it is judged by', () => {
    const s = storyTo('plan_approved');
    const events = decide(cmd.submitDossier(), s.state, meta('2026-05-11', subject));
    const { recorded } = record(s.state, events, '2026-05-11T03:00:00.000Z');
    expect(recorded[0]).toMatchObject({ at: '2026-05-11T03:00:00.000Z', ruleSetId: 'QD148_1489_2025' });
  });
});

describe('any sequence of commands', () => {
  const actors: Actor[] = [subject, communeOfficer, provincialOffice, ministry, admin, auditor, SYSTEM_ACTOR];
  const commands: CommandInput[] = [
    cmd.registerIdea(),
    cmd.acceptIdea(),
    cmd.returnIdea(),
    cmd.reviseIdea(),
    cmd.submitPlan(),
    cmd.approvePlan(),
    cmd.submitDossier('first'),
    cmd.submitDossier('upgrade'),
    cmd.submitDossier('re_rating'),
    cmd.returnDossier('2035-01-01'),
    cmd.completeDossier(),
    cmd.assess(),
    cmd.forward(),
    cmd.assignRound(),
    cmd.requestEvidence('2035-01-01'),
    cmd.submitEvidence(),
    cmd.council(93, 5),
    cmd.council(75, 4),
    cmd.council(60, 3),
    cmd.council(40, 2),
    cmd.sendToMinistry(),
    cmd.centralCouncil(92, 5),
    cmd.centralCouncil(80, 4),
    cmd.decide(3),
    cmd.decide(4),
    cmd.decide(5),
    cmd.issue(),
    cmd.proposeRevocation('2026-01-01'),
    cmd.revoke('2026-01-01'),
    cmd.withdraw(),
    ...(['ExpireCertificate', 'OpenReRatingWindow', 'MarkDecisionOverdue', 'LapseDossier'] as const).map(cmd.system),
  ];

  it('only ever rejects with DomainError, and folds into a summarisable, JSON-safe state', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            command: fc.constantFrom(...commands),
            actor: fc.constantFrom(...actors),
            days: fc.integer({ min: 0, max: 400 }),
          }),
          { maxLength: 40 },
        ),
        (steps) => {
          let state: CaseState = initialState;
          let day = Date.parse('2026-06-01T03:00:00.000Z');
          for (const step of steps) {
            day += step.days * 86_400_000;
            const now = new Date(day).toISOString();
            try {
              const events = decide(step.command, state, { now, actor: step.actor });
              state = record(state, events, now).state;
            } catch (error) {
              if (!(error instanceof DomainError)) throw error;
            }
            const next = nextDeadline(state);
            if (next) {
              // A deadline the workflow would run must be accepted at its due instant.
              const events = decide(next.command, state, { now: next.due, actor: SYSTEM_ACTOR });
              expect(events.length).toBeGreaterThan(0);
            }
          }
          expect(JSON.parse(JSON.stringify(state))).toEqual(state);
          expect(summarize(state).stage).toBe(state.status);
        },
      ),
      { numRuns: 300 },
    );
  });
});
