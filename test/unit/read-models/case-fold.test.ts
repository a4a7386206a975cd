import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../domain';
import { caseModel, caseRowOf, type CaseFold } from '../../../read-models/case-model';
import { countKeys } from '../../../read-models/counts/row';
import { countsDelta } from '../../../read-models/counts/store';
import { foldEvents, type ProjectedEvent } from '../../../read-models/read-model';
import { PROVINCE, storyTo } from '../case/fixtures';

/* The case read models' fold, given/when/then without servers: the events of a case in, the rows out. */

const PRODUCT = 'P-FOLD-1';

function stored(events: readonly DomainEvent[], streamId = PRODUCT, from = 1): ProjectedEvent[] {
  return events.map((e, i) => ({
    streamId,
    streamPosition: from + i,
    type: e.type,
    data: e.data,
    occurredAt: new Date(Date.UTC(2026, 5, 1, 3, 0, i)).toISOString(),
  }));
}

/** The story's events under this file's product id (the fixtures' RegisterIdea names its own). */
function eventsOf(stage: Parameters<typeof storyTo>[0]): DomainEvent[] {
  const events = storyTo(stage).events;
  const opened = events[0]!.data as { productId: string };
  return JSON.parse(JSON.stringify(events).replaceAll(opened.productId, PRODUCT)) as DomainEvent[];
}

const fold = (events: readonly ProjectedEvent[]): CaseFold =>
  foldEvents(caseModel, caseModel.empty(events[0]?.streamId ?? PRODUCT), events);

describe('the case fold', () => {
  it('gives a certified case its columns, its certificate and what it adds to the counts', () => {
    const f = fold(stored(eventsOf('certified')));
    expect(caseModel.hasRows(f)).toBe(true);
    const row = caseRowOf(f);
    expect(row).toMatchObject({
      product_id: PRODUCT,
      stage: 'certified',
      star: 4,
      province_code: PROVINCE,
      first_province_code: PROVINCE,
      certified_on: '2026-11-21',
      certified_year: 2026,
      registered_on: '2026-06-01',
      registered_year: 2026,
      overdue: false,
      // No evaluation under way once certified: the round columns are empty.
      round_year: null,
      round_no: null,
    });
    expect(f.certificates).toHaveLength(1);
    expect(f.certificates[0]).toMatchObject({ status: 'valid', star: 4, issued_on: '2026-11-21', term_no: 1 });
    expect(countKeys(f.state, f.certificates).map((k) => [k.kind, k.status, k.star, k.year])).toEqual([
      ['case', 'certified', 4, 2026],
      ['certificate', 'valid', 4, 2026],
    ]);
  });

  it('puts a dossier under review in its round', () => {
    const row = caseRowOf(fold(stored(eventsOf('under_review'))));
    expect(row.stage).toBe('under_review');
    expect(row.round_year).toBe(2026);
    expect(row.round_no).not.toBeNull();
  });

  it('marks a case overdue once its commune check time limit passed unmet', () => {
    const story = storyTo('dossier_submitted');
    const before = caseRowOf(fold(stored(eventsOf('dossier_submitted'))));
    expect(before.overdue).toBe(false);
    story.elapse();
    const opened = story.events[0]!.data as { productId: string };
    const events = JSON.parse(JSON.stringify(story.events).replaceAll(opened.productId, PRODUCT)) as DomainEvent[];
    expect(caseRowOf(fold(stored(events))).overdue).toBe(true);
  });

  it('folds the same rows event by event as in one pass (the append path and the rebuild agree)', () => {
    const events = stored(eventsOf('certified'));
    let stepwise = caseModel.empty(PRODUCT);
    for (const e of events) stepwise = foldEvents(caseModel, stepwise, [e]);
    const half = foldEvents(caseModel, caseModel.empty(PRODUCT), events.slice(0, 5));
    const resumed = foldEvents(caseModel, half, events.slice(5));
    expect(caseRowOf(stepwise)).toEqual(caseRowOf(fold(events)));
    expect(caseRowOf(resumed)).toEqual(caseRowOf(fold(events)));
  });

  it('holds no rows for a stream whose first event opens another product', () => {
    const f = fold(stored(eventsOf('idea_registered'), 'P-SOMEONE-ELSE'));
    expect(caseModel.hasRows(f)).toBe(false);
    expect(caseModel.owns('round:01:2026:1')).toBe(false);
    expect(caseModel.owns(PRODUCT)).toBe(true);
  });
});

describe('the counts delta', () => {
  it('moves a case from one stage to the next: −1 on the old key, +1 on the new, nothing where they agree', () => {
    const before = fold(stored(eventsOf('recognised')));
    const after = fold(stored(eventsOf('certified')));
    const delta = countsDelta(countKeys(before.state, before.certificates), countKeys(after.state, after.certificates));
    expect(delta.map((r) => [r.kind, r.status, r.star, r.n])).toEqual([
      ['case', 'certified', 4, 1],
      ['case', 'recognised', 0, -1],
      ['certificate', 'valid', 4, 1],
    ]);
    expect(countsDelta(countKeys(after.state, after.certificates), countKeys(after.state, after.certificates))).toEqual(
      [],
    );
  });
});
