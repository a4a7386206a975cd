import { describe, expect, it } from 'vitest';
import { DomainError, decide, record, type CommandInput, type DomainEvent } from '../../../domain';
import { caseModel, caseRowOf } from '../../../read-models/case-model';
import { foldEvents, type ProjectedEvent } from '../../../read-models/read-model';
import { Story, at, cmd, communeOfficer, subject } from './fixtures';

/* The subject's facts (issue 19): stated at registration, replaced by each dossier's, carried to the case's row. */

const facts = {
  legalForm: 'cooperative',
  salesChannels: ['supermarket', 'ecommerce'],
  valueChainLinked: true,
  linkedHouseholds: 120,
} as const;

const withFacts = (command: CommandInput, subjectFacts: unknown): CommandInput =>
  ({ ...command, data: { ...command.data, subjectFacts } }) as CommandInput;

const rowOf = (events: readonly DomainEvent[]) =>
  caseRowOf(
    foldEvents(
      caseModel,
      caseModel.empty('P-TRA-SHAN'),
      events.map((e, i): ProjectedEvent => ({
        streamId: 'P-TRA-SHAN',
        streamPosition: i + 1,
        type: e.type,
        data: e.data,
        occurredAt: at('2026-06-01'),
      })),
    ),
  );

describe('subject facts', () => {
  it('records the facts a registration states, and the row carries them', () => {
    const s = new Story();
    const [registered] = s.run(withFacts(cmd.registerIdea(), facts), '2026-06-01', subject);
    expect(registered!.data).toMatchObject({ subjectFacts: facts });
    expect(s.state).toMatchObject({ subjectFacts: facts });
    expect(rowOf(s.events)).toMatchObject({
      subject_legal_form: 'cooperative',
      subject_sme: false,
      sales_channels: ['supermarket', 'ecommerce'],
      value_chain_linked: true,
    });
  });

  it('leaves the key out of events and state when none are stated, so earlier histories fold the same', () => {
    const s = new Story();
    const [registered] = s.run(cmd.registerIdea(), '2026-06-01', subject);
    expect(Object.keys(registered!.data)).not.toContain('subjectFacts');
    expect(Object.keys(s.state)).not.toContain('subjectFacts');
    expect(rowOf(s.events)).toMatchObject({ subject_legal_form: null, subject_sme: null, sales_channels: null });
  });

  it('replaces them with the facts a dossier states, and keeps them through the stages after', () => {
    const s = new Story();
    s.run(withFacts(cmd.registerIdea(), { legalForm: 'household' }), '2026-06-01', subject);
    s.run(cmd.acceptIdea(), '2026-06-03', communeOfficer);
    s.run(cmd.submitPlan(), '2026-06-10', subject);
    s.run(cmd.approvePlan(), '2026-06-12', communeOfficer);
    const company = { legalForm: 'company', sme: true, salesChannels: ['export'] } as const;
    const [submitted] = s.run(withFacts(cmd.submitDossier(), company), '2026-08-03', subject);
    expect(submitted!.data).toMatchObject({ subjectFacts: company });
    s.run(cmd.assess(), '2026-08-10', communeOfficer);
    expect(s.state).toMatchObject({ status: 'commune_assessed', subjectFacts: company });
    expect(rowOf(s.events)).toMatchObject({ subject_legal_form: 'company', subject_sme: true });
  });

  it('refuses an SME that is not a company, a channel named twice and an unknown legal form, naming the field', () => {
    const refused = (subjectFacts: unknown) => {
      try {
        decide(
          withFacts(cmd.registerIdea(), subjectFacts),
          { status: 'none' },
          { now: at('2026-06-01'), actor: subject },
        );
      } catch (error) {
        if (error instanceof DomainError) return [...error.issues.map((i) => i.field), error.message];
        throw error;
      }
      return [];
    };
    expect(refused({ legalForm: 'household', sme: true }).join()).toContain('sme');
    expect(refused({ legalForm: 'company', salesChannels: ['export', 'export'] }).join()).toContain('salesChannels');
    expect(refused({ legalForm: 'ngo' }).join()).toContain('legalForm');
    expect(record({ status: 'none' }, [], at('2026-06-01')).state).toEqual({ status: 'none' });
  });
});
