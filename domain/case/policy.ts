import {
  certificateExpiry,
  centralRoundFor,
  maxExtendedValidity,
  provincialRoundFor,
  reRatingDecisionDeadline,
  reRatingExtensionFor,
  reRatingWindow,
  revocationDecisionDeadline,
  ruleSetInForce,
  starForScore,
  transitionalDecisionDeadline,
} from '../rules';
import type { ReRatingExtension, RuleSet } from '../rules';
import { addDays, addWorkingDays } from '../calendar';
import type { DossierKind, RecognitionLevel } from './commands';

/*
 * The decider's only window onto the rule-sets. Every result lands in an event, so a later change to the rules
 * module cannot alter a case already recorded. Dates returned here are inclusive last days ("by D").
 */

/** Districts ceased with the two-tier reform; a district recognition after it falls to the province. */
export const DISTRICTS_ABOLISHED_ON = '2025-07-01';

/** The star a score earns under `ruleSet`'s bands, before any starred minimum lowers it. */
export function bandStar(score: number, ruleSet: RuleSet): 1 | 2 | 3 | 4 | 5 {
  return starForScore(score, ruleSet);
}

/** Who recognises `star` under the case's rule-set, on the day it decides. */
export function recognitionLevel(star: 3 | 4 | 5, ruleSet: RuleSet, decidedOn: string): RecognitionLevel {
  const level = ruleSet.recognisers[star];
  return level === 'district' && decidedOn >= DISTRICTS_ABOLISHED_ON ? 'province' : level;
}

/**
 * The re-rating window of a certificate expiring on `expiresOn`. The filing happens under the rules in force at
 * T−180, so those rules decide whether there is a window at all (none before QĐ 26/2026).
 */
export function windowFor(expiresOn: string): { opens: string; closes: string } | null {
  const opens = addDays(expiresOn, -180);
  if (opens < '2019-08-21') return null;
  const ruleSet = ruleSetInForce(opens);
  return ruleSet.reRatingWindow ? reRatingWindow(expiresOn, ruleSet) : null;
}

/** Last day of validity of a certificate issued on `issuedOn`. */
export function expiryFor(issuedOn: string, ruleSet: RuleSet): string {
  return certificateExpiry(issuedOn, ruleSet);
}

/** Art. 12.3: the last day a pending re-rating can keep an expired certificate valid. */
export function extensionEnd(expiresOn: string): string {
  return maxExtendedValidity(expiresOn);
}

/** Art. 12.3 (transitional): the extension a certificate expiring on `expiresOn` may have, or null. */
export function extensionFor(expiresOn: string): ReRatingExtension | null {
  return reRatingExtensionFor(expiresOn);
}

/** Art. 7.2: the commune's last day to check, assess and forward. */
export function communeDueFor(receivedOn: string, ruleSet: RuleSet): string {
  return addWorkingDays(receivedOn, ruleSet.communeCheckWorkingDays);
}

/** Art. 12.2: an old-rules dossier must be decided by 2026-07-21 (first, upgrade) or 2026-06-21 (re-rating). */
export function transitionalDecisionDue(ruleSet: RuleSet, kind: DossierKind): string | null {
  return transitionalDecisionDeadline(kind === 're_rating' ? 'reRating' : kind, ruleSet);
}

/** Art. 7.6g: a re-rating is decided within 45 days of the complete dossier reaching the province. */
export function reRatingDecisionDue(forwardedOn: string, ruleSet: RuleSet): string {
  return reRatingDecisionDeadline(forwardedOn, ruleSet);
}

/** Art. 5.1: the round a forwarded dossier joins; null when the rule-set has no fixed calendar. */
export function provincialRound(
  forwardedOn: string,
  ruleSet: RuleSet,
): { round: number; year: number; cutOff: string; decideBy: string } | null {
  if (!ruleSet.rounds) return null;
  const r = provincialRoundFor(forwardedOn, ruleSet);
  return { round: r.round, year: r.year, cutOff: r.cutOff, decideBy: r.lastDecisionDate };
}

/** Art. 5.2: the central round; before QĐ 26/2026 the Ministry set its own, so the case gets none. */
export function centralRound(sentOn: string, ruleSet: RuleSet): { cutOff: string; decideBy: string } | null {
  if (!ruleSet.rounds) return null;
  const r = centralRoundFor(sentOn, ruleSet);
  return { cutOff: r.cutOff, decideBy: r.lastDecisionDate };
}

/** Art. 8.4: 15 days from the competent conclusion. */
export function revocationDue(concludedOn: string, ruleSet: RuleSet): string {
  return revocationDecisionDeadline(concludedOn, ruleSet);
}
