/**
 * OCOP rule-sets as versioned data. A case is judged by the rule-set in force for it (by filing date, with the
 * transition rules of QĐ 26/2026 art. 12); replaying an old case must use its own rule-set, never today's.
 *
 * Sources: `shared/domain/README.md`, `shared/domain/ocop-research.md` and the text of QĐ 26/2026/QĐ-TTg
 * (`shared/data/law/qd-26-2026-QD-TTg.txt`). Where an older decision's value is not in those sources we reuse the
 * nearest rule-set's value and say so in `notes`.
 */
import { addDays, addMonths, addWorkingDays, assertLocalDate } from '../calendar';

export const RuleSetId = {
  QD1048_2019: 'QD1048_2019',
  QD148_2023: 'QD148_2023',
  QD148_1489_2025: 'QD148_1489_2025',
  QD26_2026: 'QD26_2026',
} as const;
export type RuleSetId = (typeof RuleSetId)[keyof typeof RuleSetId];

export type Star = 1 | 2 | 3 | 4 | 5;
export type RecognisedStar = 3 | 4 | 5;
/** Who decides recognition and issues the certificate for a star level. */
export type Recogniser = 'district' | 'province' | 'ministry';

/** A day of the year, `MM-DD`. */
export type MonthDay = `${number}-${number}`;

/**
 * A fixed round calendar (QĐ 26/2026 art. 5). Every date is exclusive, as the law writes it: a dossier forwarded
 * "trước ngày 30 tháng 4" (before 30 April) joins round 1, so one forwarded ON 30/04 does not; round 1 ends
 * "trước ngày 30 tháng 6", so its last decision day is 29/06.
 */
export interface RoundCalendar {
  /** Provincial rounds in calendar order: forwarded by the commune strictly before `cutOff` → decided before `decideBy`. */
  provincial: readonly { round: 1 | 2; cutOff: MonthDay; decideBy: MonthDay }[];
  /**
   * Central (5★) rounds: sent by the province strictly before `cutOff` → decided before `decideBy`, which may fall
   * in the same year (round 1: 30/07 → 30/09) or, read as a slot, after a 30/01 cut-off (round 2: 30/01 → 30/03).
   */
  central: readonly { round: 1 | 2; cutOff: MonthDay; decideBy: MonthDay }[];
}

/** How a potential 5★ product reaches the Ministry (QĐ 26/2026 art. 6.3, 7.3e, 7.4). */
export interface FiveStarSubmission {
  /** Provincial average score that makes a product "potential 5★" (tiềm năng 5 sao). */
  minProvincialScore: number;
  /** The provincial chair approves the provincial result before the dossier goes up (no 5★ certificate yet). */
  provincialApprovalRequired: boolean;
  /** Samples sent with the dossier. */
  samples: number;
  /** Under 90 at central level the provincial chair may recognise 3★/4★ on the central scores, or re-evaluate. */
  provinceMayRecogniseBelowThreshold: boolean;
}

export interface StarBand {
  star: Star;
  /** Inclusive lower bound. */
  min: number;
  /** Exclusive upper bound; `null` for the top band, which includes 100. */
  maxExclusive: number | null;
}

export interface RuleSet {
  id: RuleSetId;
  title: string;
  /** First local date the rule-set applies to new filings. */
  inForceFrom: string;
  partMaxima: { A: number; B: number; C: number };
  /** Half-open score bands, highest first. */
  starBands: readonly StarBand[];
  recognisers: Readonly<Record<RecognisedStar, Recogniser>>;
  /** Certificate validity, counted from the issue date (QĐ 26/2026 art. 4.3). */
  certificateMonths: 36;
  /** Working days the commune has to check a dossier, write Form 03 and forward it (art. 7.2). */
  communeCheckWorkingDays: number;
  /**
   * Re-rating filing window in days before expiry (art. 7.6a); `null` where the rule-set fixed none. A dossier filed
   * after the window's close is refused, unless `reRatingExtension` covers the certificate.
   */
  reRatingWindow: { openDaysBeforeExpiry: 180; closeDaysBeforeExpiry: 120; clause: string } | null;
  /**
   * QĐ 26/2026 art. 12.3, read as the transitional provision it stands among: a certificate whose art. 7.6a window the
   * decision's entry into force made impossible to meet in full (still valid on `validOn`, its window opening before
   * `windowOpenedBefore`) may file a re-rating until it expires, and a re-rating pending at expiry keeps it valid
   * until decided, at most `maxDays` past expiry. No other certificate is extended. `null` where no such clause exists.
   */
  reRatingExtension: { clause: string; validOn: string; windowOpenedBefore: string; maxDays: 180 } | null;
  /** The clauses a certificate's validity and its recogniser per star come from, for refusals that cite them. */
  clauses: { validity: string; recognisers: string };
  /**
   * How a product is numbered (mã số sản phẩm), where the rule-set prints it: QĐ 26/2026 Annex II heads every score
   * sheet with "(T)-(X)-(STT)-20…", province code – commune code (QĐ 19/2025 codes) – the commune's serial – the
   * evaluation year. `null` where the sources do not confirm a format (legacy codes, ocop-research §3.4).
   */
  productNumbering: { clause: string; format: 'T-X-STT-YYYY' } | null;
  /** Calendar days to finish a re-rating from a complete dossier (art. 7.6g). */
  reRatingDecisionDays: number;
  /** Calendar days to decide a revocation from the finding (art. 8.4). */
  revocationDecisionDays: 15;
  /**
   * Transitional completion deadlines (art. 12.2) for cases filed before QĐ 26/2026 took effect, in calendar days
   * counted from `transitionalDeadlineFrom`; `null` where no such deadline applies.
   */
  decisionDeadlineDays: { first: number | null; reRating: number | null };
  /** The local date the transitional deadlines run from; `null` when `decisionDeadlineDays` is all null. */
  transitionalDeadlineFrom: string | null;
  rounds: RoundCalendar | null;
  potentialFiveStarMinScore: 90;
  fiveStarSubmission: FiveStarSubmission;
  /** The sources for the values, and every assumption made where they were silent. */
  notes: readonly string[];
}

/** Thrown for a date before the first OCOP criteria (QĐ 1048/2019, 21/08/2019). */
export class NoRuleSetInForceError extends Error {
  public readonly date: string;
  constructor(date: string) {
    super(`No OCOP rule-set was in force on ${date} (the first, QĐ 1048/QĐ-TTg, applies from 2019-08-21)`);
    this.name = 'NoRuleSetInForceError';
    this.date = date;
  }
}

/** Thrown when a rule a caller asks for does not exist in a rule-set (e.g. the round calendar before 2026). */
export class RuleNotDefinedError extends Error {
  public readonly ruleSetId: RuleSetId;
  public readonly rule: string;
  constructor(ruleSetId: RuleSetId, rule: string) {
    super(`Rule-set ${ruleSetId} defines no ${rule}`);
    this.name = 'RuleNotDefinedError';
    this.ruleSetId = ruleSetId;
    this.rule = rule;
  }
}

/** Thrown when case dates contradict each other (decided before filed). */
export class InvalidCaseDatesError extends Error {
  public readonly filedOn: string;
  public readonly decidedOn: string;
  constructor(filedOn: string, decidedOn: string) {
    super(`A case cannot be decided (${decidedOn}) before it is filed (${filedOn})`);
    this.name = 'InvalidCaseDatesError';
    this.filedOn = filedOn;
    this.decidedOn = decidedOn;
  }
}

/**
 * Re-rating: the certificate stays valid past expiry until decided, at most this many days (QĐ 26/2026 art. 12.3).
 * Written in the transitional article; whether it applies beyond the changeover is open (ocop-research §8.7).
 */
export const MAX_TRANSITIONAL_EXTENSION_DAYS = 180;

/** QĐ 26/2026 took effect on this local date (art. 11.1); cases filed earlier finish under the old rules. */
export const QD26_IN_FORCE = '2026-05-22';

const HALF_OPEN_BANDS: readonly StarBand[] = [
  { star: 5, min: 90, maxExclusive: null },
  { star: 4, min: 70, maxExclusive: 90 },
  { star: 3, min: 50, maxExclusive: 70 },
  { star: 2, min: 30, maxExclusive: 50 },
  { star: 1, min: 0, maxExclusive: 30 },
];

const FIVE_STAR_SUBMISSION: FiveStarSubmission = {
  minProvincialScore: 90,
  provincialApprovalRequired: true,
  samples: 5,
  provinceMayRecogniseBelowThreshold: true,
};

const RE_RATING_WINDOW = {
  openDaysBeforeExpiry: 180,
  closeDaysBeforeExpiry: 120,
  clause: 'QĐ 26/2026 art. 7.6a',
} as const;

/** Art. 12.3 as a transitional provision (see `RuleSet.reRatingExtension`). */
const TRANSITIONAL_RE_RATING_EXTENSION = {
  clause: 'QĐ 26/2026 art. 12.3',
  validOn: QD26_IN_FORCE,
  windowOpenedBefore: QD26_IN_FORCE,
  maxDays: MAX_TRANSITIONAL_EXTENSION_DAYS,
} as const;

/** Art. 12.2: old first/upgrade cases finish within 60 days, old re-ratings within 30, of 22/05/2026. */
const TRANSITIONAL_DEADLINES = { first: 60, reRating: 30 } as const;

const OLD_RULES_TRANSITION_NOTE =
  'QĐ 26/2026 art. 12.2: a dossier filed before 2026-05-22 and not yet decided continues under the 2021–2025 rules, ' +
  'but must be finished within 60 days (first evaluation or upgrade) or 30 days (re-rating) of 2026-05-22.';

const RULE_SETS: Readonly<Record<RuleSetId, RuleSet>> = {
  QD1048_2019: {
    id: 'QD1048_2019',
    title: 'QĐ 1048/QĐ-TTg (amended by QĐ 781/QĐ-TTg)',
    inForceFrom: '2019-08-21',
    partMaxima: { A: 35, B: 25, C: 40 },
    starBands: HALF_OPEN_BANDS,
    recognisers: { 3: 'province', 4: 'province', 5: 'ministry' },
    certificateMonths: 36,
    communeCheckWorkingDays: 15,
    reRatingWindow: null,
    reRatingExtension: null,
    productNumbering: null,
    clauses: {
      validity: 'QĐ 1048/QĐ-TTg (2019): 36 months from issue (ocop-research §4.1)',
      recognisers: 'QĐ 1048/QĐ-TTg (2019): the province recognises 3★ and 4★, the central level 5★ (domain README)',
    },
    reRatingDecisionDays: 45,
    revocationDecisionDays: 15,
    decisionDeadlineDays: TRANSITIONAL_DEADLINES,
    transitionalDeadlineFrom: QD26_IN_FORCE,
    rounds: null,
    potentialFiveStarMinScore: 90,
    fiveStarSubmission: FIVE_STAR_SUBMISSION,
    notes: [
      'Parts A/B/C 35/25/40, district council scores first and forwards 50–100, province recognises 3★–4★, central 5★, 36-month validity: domain README and ocop-research §2.1, §2.4, §4.1.',
      'The decision wrote bands as whole numbers (70–89, 50–69); the half-open bands of QĐ 26/2026 are used so fractional averages have one answer. ASSUMPTION.',
      'No commune step existed; communeCheckWorkingDays reuses 15 from QĐ 26/2026. ASSUMPTION (sources silent).',
      'No re-rating filing window in the sources: reRatingWindow is null. reRatingDecisionDays reuses 45 and revocationDecisionDays 15 from QĐ 26/2026. ASSUMPTION (sources silent).',
      'No fixed round calendar: rounds are planned locally.',
      'The 5★ submission rules (≥ 90 at province, 5 samples) reuse QĐ 26/2026; the 1048 texts forwarded 90–100 to the central council. Provincial approval and the sub-90 fallback are ASSUMPTIONS.',
      `${OLD_RULES_TRANSITION_NOTE} Applied to 1048 cases as well, since any case still open on that date is "filed before" it. ASSUMPTION: QĐ 148's own transition clause was not read.`,
    ],
  },
  QD148_2023: {
    id: 'QD148_2023',
    title: 'QĐ 148/QĐ-TTg',
    inForceFrom: '2023-02-24',
    partMaxima: { A: 40, B: 25, C: 35 },
    starBands: HALF_OPEN_BANDS,
    recognisers: { 3: 'district', 4: 'province', 5: 'ministry' },
    certificateMonths: 36,
    communeCheckWorkingDays: 15,
    reRatingWindow: null,
    reRatingExtension: null,
    productNumbering: null,
    clauses: {
      validity: 'QĐ 148/QĐ-TTg (2023): 36 months from issue (ocop-research §4.1)',
      recognisers:
        'QĐ 148/QĐ-TTg (2023): the district People’s Committee recognises 3★, the province 4★, the Ministry 5★ (domain README)',
    },
    reRatingDecisionDays: 45,
    revocationDecisionDays: 15,
    decisionDeadlineDays: TRANSITIONAL_DEADLINES,
    transitionalDeadlineFrom: QD26_IN_FORCE,
    rounds: null,
    potentialFiveStarMinScore: 90,
    fiveStarSubmission: FIVE_STAR_SUBMISSION,
    notes: [
      'Parts A/B/C 40/25/35; the district People’s Committee evaluates and recognises 3★, the province 4★ (forwarding ≥ 90), the Ministry 5★: domain README, ocop-research §2.4.',
      'Bands written as whole numbers in secondary sources; half-open bands used. ASSUMPTION.',
      'The commune only guided subjects; communeCheckWorkingDays reuses 15. ASSUMPTION (sources silent; the full text of 148 was not read).',
      'The issuing authority had to notify the subject at least 30 days before expiry (ocop-research §4.2); no T−180/T−120 filing window, so reRatingWindow is null.',
      'reRatingDecisionDays 45 and revocationDecisionDays 15 reuse QĐ 26/2026. ASSUMPTION (sources silent).',
      OLD_RULES_TRANSITION_NOTE,
    ],
  },
  QD148_1489_2025: {
    id: 'QD148_1489_2025',
    title: 'QĐ 148/QĐ-TTg as amended by QĐ 1489/QĐ-TTg',
    inForceFrom: '2025-07-06',
    partMaxima: { A: 40, B: 25, C: 35 },
    starBands: HALF_OPEN_BANDS,
    recognisers: { 3: 'province', 4: 'province', 5: 'ministry' },
    certificateMonths: 36,
    communeCheckWorkingDays: 15,
    reRatingWindow: null,
    reRatingExtension: null,
    productNumbering: null,
    clauses: {
      validity: 'QĐ 148/QĐ-TTg as amended by QĐ 1489/QĐ-TTg (2025): 36 months from issue (ocop-research §4.1)',
      recognisers:
        'QĐ 148/QĐ-TTg as amended by QĐ 1489/QĐ-TTg (2025): the province recognises 3★ and 4★, the Ministry 5★ (domain README)',
    },
    reRatingDecisionDays: 45,
    revocationDecisionDays: 15,
    decisionDeadlineDays: TRANSITIONAL_DEADLINES,
    transitionalDeadlineFrom: QD26_IN_FORCE,
    rounds: null,
    potentialFiveStarMinScore: 90,
    fiveStarSubmission: FIVE_STAR_SUBMISSION,
    notes: [
      'QĐ 1489 (06/07/2025) removed the district level: the commune pre-assesses, the province recognises 3★ and 4★, the Ministry 5★ (domain README, ocop-research §2.4, §5).',
      'Any commune deadline under 1489 is unknown (ocop-research §8.2); communeCheckWorkingDays reuses 15 from QĐ 26/2026. ASSUMPTION.',
      'No T−180/T−120 window: reRatingWindow is null. reRatingDecisionDays 45 and revocationDecisionDays 15 reuse QĐ 26/2026. ASSUMPTION (sources silent).',
      'Districts ceased on 2025-07-01 but 1489 is dated 2025-07-06; a 148 case decided from 2025-07-06 on is treated as decided under 148+1489 (ruleSetForCase). ASSUMPTION: 1489’s own transition text was not read.',
      OLD_RULES_TRANSITION_NOTE,
    ],
  },
  QD26_2026: {
    id: 'QD26_2026',
    title: 'QĐ 26/2026/QĐ-TTg',
    inForceFrom: QD26_IN_FORCE,
    partMaxima: { A: 40, B: 25, C: 35 },
    starBands: HALF_OPEN_BANDS,
    recognisers: { 3: 'province', 4: 'province', 5: 'ministry' },
    certificateMonths: 36,
    communeCheckWorkingDays: 15,
    reRatingWindow: RE_RATING_WINDOW,
    reRatingExtension: TRANSITIONAL_RE_RATING_EXTENSION,
    productNumbering: { clause: 'QĐ 26/2026 Annex II, "Mã số sản phẩm"', format: 'T-X-STT-YYYY' },
    clauses: {
      validity: 'QĐ 26/2026 art. 4.3: 36 months from issue',
      recognisers: 'QĐ 26/2026 art. 4.1: the province recognises 3★ and 4★, the Ministry 5★',
    },
    reRatingDecisionDays: 45,
    revocationDecisionDays: 15,
    decisionDeadlineDays: { first: null, reRating: null },
    transitionalDeadlineFrom: null,
    rounds: {
      provincial: [
        { round: 1, cutOff: '04-30', decideBy: '06-30' },
        { round: 2, cutOff: '10-30', decideBy: '12-30' },
      ],
      central: [
        { round: 2, cutOff: '01-30', decideBy: '03-30' },
        { round: 1, cutOff: '07-30', decideBy: '09-30' },
      ],
    },
    potentialFiveStarMinScore: 90,
    fiveStarSubmission: FIVE_STAR_SUBMISSION,
    notes: [
      'Art. 3.1 parts 40/25/35; art. 3.3 bands (from 90 to 100; from 70 to under 90; …); art. 4.1 province 3★/4★, Ministry 5★; art. 4.3 36 months from issue.',
      'Art. 5 rounds; "trước ngày 30 tháng 4" read as strictly before: a dossier forwarded on 30/04 goes to round 2, on 30/10 to round 1 of the next year.',
      'Art. 7.2 commune 15 working days; art. 7.6a filing window no earlier than 180 and no later than 120 days before expiry; art. 7.6g re-rating within 45 days of a complete dossier; art. 8.4 revocation within 15 days.',
      'No overall deadline for a first evaluation: the round calendar governs. decisionDeadlineDays is null (art. 12.2 applies only to older cases).',
      'Art. 12.3 stands among the transitional provisions (art. 12): it covers the certificates valid on 2026-05-22 whose T−180 … T−120 window had already opened (or closed) by then, so that the window could not be met in full. They may file a re-rating until expiry, and one pending at expiry keeps the certificate valid until decided, at most 180 days. Every other certificate files inside its window or not at all (a later filing is refused), and expires on its date. Reading of ocop-research §8.7.',
    ],
  },
};

const BY_START_DESC: readonly RuleSet[] = Object.values(RULE_SETS).sort((a, b) =>
  b.inForceFrom.localeCompare(a.inForceFrom),
);

export function ruleSetById(id: RuleSetId): RuleSet {
  return RULE_SETS[id];
}

/** Every rule-set, oldest first. */
export function allRuleSets(): readonly RuleSet[] {
  return [...BY_START_DESC].reverse();
}

/**
 * The rule-set that applied to new filings on `localDate`.
 * @throws NoRuleSetInForceError before 2019-08-21.
 */
export function ruleSetInForce(localDate: string): RuleSet {
  assertLocalDate(localDate);
  const found = BY_START_DESC.find((r) => r.inForceFrom <= localDate);
  if (!found) throw new NoRuleSetInForceError(localDate);
  return found;
}

/**
 * The rule-set a case is judged by. A case follows the rules in force on the day it was filed (QĐ 26/2026
 * art. 12.2: filed before 2026-05-22 → the 2021–2025 rules, even when decided later). One refinement: a QĐ 148
 * case decided on or after 2025-07-06 is decided under 148 as amended by 1489, because the district level that
 * would have recognised 3★ no longer existed.
 */
export function ruleSetForCase(input: { filedOn: string; decidedOn?: string }): RuleSet {
  const filed = ruleSetInForce(input.filedOn);
  const { decidedOn } = input;
  if (decidedOn === undefined) return filed;
  assertLocalDate(decidedOn);
  if (decidedOn < input.filedOn) throw new InvalidCaseDatesError(input.filedOn, decidedOn);
  if (filed.id === RuleSetId.QD148_2023 && decidedOn >= RULE_SETS.QD148_1489_2025.inForceFrom) {
    return RULE_SETS.QD148_1489_2025;
  }
  return filed;
}

/**
 * The star a score band gives, before the starred minimums of the sheet are checked (those can only lower it).
 * @throws RangeError for a score outside [0, 100].
 */
export function starForScore(score: number, ruleSet: RuleSet): Star {
  if (!(score >= 0 && score <= 100)) throw new RangeError(`Score must be within [0, 100], got ${score}`);
  const band = ruleSet.starBands.find((b) => score >= b.min && (b.maxExclusive === null || score < b.maxExclusive));
  if (!band) throw new RangeError(`No star band in ${ruleSet.id} for score ${score}`);
  return band.star;
}

function requireRounds(ruleSet: RuleSet): RoundCalendar {
  if (!ruleSet.rounds) throw new RuleNotDefinedError(ruleSet.id, 'round calendar');
  return ruleSet.rounds;
}

export interface ProvincialRound {
  round: 1 | 2;
  /** The year the round is held in. */
  year: number;
  /** The dossier had to be forwarded strictly before this local date. */
  cutOff: string;
  /** The round must be decided strictly before this local date (the law's "trước ngày 30 tháng 6"). */
  decideBy: string;
  /** The last local date on which the round may be decided: the day before `decideBy`. */
  lastDecisionDate: string;
}

/**
 * The provincial round a dossier forwarded by the commune on `forwardedOnDate` joins (QĐ 26/2026 art. 5.1):
 * before 30/04 → round 1, decided before 30/06; before 30/10 → round 2, decided before 30/12; from 30/10 on →
 * round 1 of the next year. "Before" is strict, so 30/04 itself goes to round 2.
 * @throws RuleNotDefinedError for a rule-set without a round calendar.
 */
export function provincialRoundFor(forwardedOnDate: string, ruleSet: RuleSet): ProvincialRound {
  return nextRound(forwardedOnDate, requireRounds(ruleSet).provincial, ruleSet, 'provincial');
}

/**
 * Round `round` of `year` in a rule-set's provincial calendar: its cut-off and decision dates (what a province opens
 * with POST /rounds). Null for a rule-set without a round calendar.
 */
export function provincialRoundOf(year: number, round: 1 | 2, ruleSet: RuleSet): ProvincialRound | null {
  const slot = ruleSet.rounds?.provincial.find((r) => r.round === round);
  return slot ? roundOfSlot(year, slot) : null;
}

function roundOfSlot(year: number, slot: { round: 1 | 2; cutOff: MonthDay; decideBy: MonthDay }): ProvincialRound {
  const decideBy = `${year}-${slot.decideBy}`;
  return {
    round: slot.round,
    year,
    cutOff: `${year}-${slot.cutOff}`,
    decideBy,
    lastDecisionDate: addDays(decideBy, -1),
  };
}

/** The first round of a calendar whose cut-off falls strictly after `date`, this year or the next. */
function nextRound(
  date: string,
  rounds: readonly { round: 1 | 2; cutOff: MonthDay; decideBy: MonthDay }[],
  ruleSet: RuleSet,
  level: 'provincial' | 'central',
): ProvincialRound {
  assertLocalDate(date);
  const year = Number(date.slice(0, 4));
  for (const y of [year, year + 1]) {
    for (const r of rounds) {
      if (date < `${y}-${r.cutOff}`) return roundOfSlot(y, r);
    }
  }
  throw new RuleNotDefinedError(ruleSet.id, `${level} round after ${date}`);
}

export interface CentralRound {
  round: 1 | 2;
  /** The province had to send the dossier strictly before this local date. */
  cutOff: string;
  /** The central round must be decided strictly before this local date. */
  decideBy: string;
  /** The last local date on which the round may be decided. */
  lastDecisionDate: string;
}

/**
 * The central (5★) round a dossier the province sent on `sentOnDate` joins (QĐ 26/2026 art. 5.2): the next cut-off
 * strictly after the date — before 30/07 → decided before 30/09 (round 1); before 30/01 → decided before 30/03
 * (round 2). Sent on 30/07 or later in the year → the round decided before 30/03 of the next year.
 * @throws RuleNotDefinedError for a rule-set without a round calendar.
 */
export function centralRoundFor(sentOnDate: string, ruleSet: RuleSet): CentralRound {
  const { round, cutOff, decideBy, lastDecisionDate } = nextRound(
    sentOnDate,
    requireRounds(ruleSet).central,
    ruleSet,
    'central',
  );
  return { round, cutOff, decideBy, lastDecisionDate };
}

/**
 * The last day a certificate issued on `issueDate` is valid. QĐ 26/2026 art. 4.3: valid "trong thời hạn 36 tháng
 * kể từ ngày cơ quan có thẩm quyền ban hành". By Civil Code 2015 art. 147(2) the issue day is not counted, and by
 * art. 148(1)(c) a period in months ends at the end of the corresponding day of the last month (or that month's
 * last day when it has no such day). So a certificate issued 2026-06-15 is valid through 2029-06-15 inclusive,
 * and one issued 2024-02-29 through 2027-02-28. It is expired from the day after the returned date.
 */
export function certificateExpiry(issueDate: string, ruleSet: RuleSet): string {
  return addMonths(issueDate, ruleSet.certificateMonths);
}

/** Whether a certificate issued on `issueDate` is still valid on `date` (before any art. 12.3 extension). */
export function isCertificateValidOn(issueDate: string, date: string, ruleSet: RuleSet): boolean {
  assertLocalDate(date);
  return date >= issueDate && date <= certificateExpiry(issueDate, ruleSet);
}

/**
 * The re-rating filing window for a certificate expiring on `expiryDate` (QĐ 26/2026 art. 7.6a: "không sớm hơn
 * 180 ngày và không muộn hơn 120 ngày tính đến ngày hết thời hạn"): both ends inclusive, T−180 … T−120.
 * @throws RuleNotDefinedError for a rule-set without a window.
 */
export function reRatingWindow(expiryDate: string, ruleSet: RuleSet): { opens: string; closes: string } {
  const w = ruleSet.reRatingWindow;
  if (!w) throw new RuleNotDefinedError(ruleSet.id, 're-rating filing window');
  return { opens: addDays(expiryDate, -w.openDaysBeforeExpiry), closes: addDays(expiryDate, -w.closeDaysBeforeExpiry) };
}

/** Whether `filedOn` falls inside the re-rating window of a certificate expiring on `expiryDate`. */
export function isInReRatingWindow(filedOn: string, expiryDate: string, ruleSet: RuleSet): boolean {
  assertLocalDate(filedOn);
  const { opens, closes } = reRatingWindow(expiryDate, ruleSet);
  return filedOn >= opens && filedOn <= closes;
}

/** The latest date a certificate can stay valid under the art. 12.3 extension: expiry + 180 days. */
export function maxExtendedValidity(expiryDate: string): string {
  return addDays(expiryDate, MAX_TRANSITIONAL_EXTENSION_DAYS);
}

/** What art. 12.3 grants a certificate it covers (see `RuleSet.reRatingExtension`). */
export interface ReRatingExtension {
  clause: string;
  /** The art. 7.6a window the certificate could not meet in full. */
  window: { opens: string; closes: string };
  /** The last day a re-rating pending at expiry can keep it valid. */
  validAtMostUntil: string;
}

/**
 * Whether art. 12.3 covers a certificate expiring on `expiryDate`: it was valid when the rule-set with the clause
 * took effect, and its art. 7.6a window (T−180 … T−120) had opened before then. `null` for every other certificate,
 * whose re-rating is filed inside its window or not at all.
 */
export function reRatingExtensionFor(expiryDate: string): ReRatingExtension | null {
  assertLocalDate(expiryDate);
  for (const ruleSet of BY_START_DESC) {
    const x = ruleSet.reRatingExtension;
    const w = ruleSet.reRatingWindow;
    if (!x || !w) continue;
    const window = {
      opens: addDays(expiryDate, -w.openDaysBeforeExpiry),
      closes: addDays(expiryDate, -w.closeDaysBeforeExpiry),
    };
    if (expiryDate >= x.validOn && window.opens < x.windowOpenedBefore) {
      return { clause: x.clause, window, validAtMostUntil: addDays(expiryDate, x.maxDays) };
    }
  }
  return null;
}

/** The re-rating decision deadline: `reRatingDecisionDays` after the complete dossier was received (art. 7.6g). */
export function reRatingDecisionDeadline(completeDossierOn: string, ruleSet: RuleSet): string {
  return addDays(completeDossierOn, ruleSet.reRatingDecisionDays);
}

/**
 * The last local date the commune may forward a dossier received on `receivedOn` (art. 7.2: 15 working days "kể từ
 * ngày tiếp nhận"; the day of receipt is not counted, see `addWorkingDays`).
 */
export function communeForwardDeadline(receivedOn: string, ruleSet: RuleSet): string {
  return addWorkingDays(receivedOn, ruleSet.communeCheckWorkingDays);
}

/** The revocation decision deadline: 15 days after the competent conclusion (art. 8.4). */
export function revocationDecisionDeadline(findingOn: string, ruleSet: RuleSet): string {
  return addDays(findingOn, ruleSet.revocationDecisionDays);
}

/**
 * The art. 12.2 completion deadline for an old-rules case, or `null` when the rule-set sets none.
 * First/upgrade: 2026-05-22 + 60 days = 2026-07-21; re-rating: + 30 days = 2026-06-21.
 */
export function transitionalDecisionDeadline(kind: 'first' | 'upgrade' | 'reRating', ruleSet: RuleSet): string | null {
  const days = kind === 'reRating' ? ruleSet.decisionDeadlineDays.reRating : ruleSet.decisionDeadlineDays.first;
  if (days === null || ruleSet.transitionalDeadlineFrom === null) return null;
  return addDays(ruleSet.transitionalDeadlineFrom, days);
}
