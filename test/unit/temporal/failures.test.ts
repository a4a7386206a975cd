import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { DOMAIN_REFUSALS } from '../../../api/problems';
import { DomainError, DomainErrorCode } from '../../../domain';
import {
  CaseFailureType,
  caseFailure,
  caseFailureOf,
  domainFailure,
  staleVersionFailure,
} from '../../../temporal/failures';

/** How an Update's failure reaches the client: the handler's failure as the cause of the client's error. */
const asUpdateFailure = (cause: Error) => new Error('workflow update failed', { cause });

describe('failures that cross Temporal', () => {
  it('keep the type strings recorded in running cases’ histories', () => {
    // Renaming one would leave the API unable to read the failures of runs already in flight.
    expect(Object.values(CaseFailureType).sort()).toEqual([
      'DomainError',
      'InvalidActivityInput',
      'InvalidCommand',
      'NotificationsPending',
      'StaleVersion',
      'UnrecordableCommand',
      'WrongExpectedVersion',
    ]);
  });

  it('carry a refusal’s code, stage and field issues to the API', () => {
    const issues = [{ field: 'provinceCode', vi: 'Không có tỉnh 99.', en: 'There is no province 99.' }];
    const refused = new DomainError('invalid', 'idea', 'RegisterIdea', 'no such province', issues);
    const failure = caseFailureOf(asUpdateFailure(domainFailure(refused)));
    expect(failure).toEqual({
      type: 'DomainError',
      message: 'no such province',
      code: 'invalid',
      stage: 'idea',
      issues,
    });
    expect(domainFailure(refused).nonRetryable).toBe(true);
  });

  it('carry the version a stale command met', () => {
    expect(caseFailureOf(asUpdateFailure(staleVersionFailure(7, 5)))).toMatchObject({
      type: 'StaleVersion',
      version: 7,
      message: expect.stringContaining('version 7, not 5'),
    });
  });

  it('are found inside a scheduled activity’s ActivityFailure as well as thrown by a local one', () => {
    const unrecordable = caseFailure(CaseFailureType.UnrecordableCommand, 'PostgreSQL 22P05: NUL');
    const scheduled = new ActivityFailure(
      'ActivityFailure',
      'recordEvents',
      '1',
      RetryState.NON_RETRYABLE_FAILURE,
      'worker',
      unrecordable,
    );
    for (const thrown of [scheduled, unrecordable]) {
      expect(caseFailureOf(asUpdateFailure(thrown))).toEqual({
        type: 'UnrecordableCommand',
        message: 'PostgreSQL 22P05: NUL',
      });
    }
    expect(unrecordable.nonRetryable).toBe(true);
  });

  it('are not read into an unrelated failure', () => {
    expect(caseFailureOf(asUpdateFailure(ApplicationFailure.create({ type: 'Other', message: 'x' })))).toBeNull();
    expect(caseFailureOf(new Error('plain'))).toBeNull();
    expect(caseFailureOf(undefined)).toBeNull();
  });
});

describe('every reason the decider refuses a command', () => {
  it.each(Object.values(DomainErrorCode))('%s has an HTTP status and a sentence in Vietnamese', (code) => {
    const refusal = DOMAIN_REFUSALS[code];
    expect([403, 409, 422]).toContain(refusal.status);
    // Vietnamese: letters only Vietnamese writes (đ, ơ, ư or a tone mark), and a full sentence.
    expect(refusal.vi).toMatch(/[đơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/u);
    expect(refusal.vi.endsWith('.')).toBe(true);
  });
});
