import type { Round } from '../rounds/round';

/** The roles a person may hold (a bearer token or an account carries one). */
export const USER_ROLES = [
  'subject',
  'commune_officer',
  'provincial_office',
  'council_member',
  'ministry',
  'auditor',
  'admin',
] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Who acts: a person in one of their roles, or `system` (the workflow's own deadlines), in one office. */
export const ROLES = [...USER_ROLES, 'system'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  userId: string;
  role: Role;
  /**
   * Jurisdiction: the commune or province code (QĐ 19/2025 codes) of an officer, the subject's id for a subject's
   * user, `MINISTRY` for the Ministry of Agriculture and Environment.
   */
  office: string;
}

export interface CommandMeta {
  /** The instant the command takes effect (ISO UTC); the decider's only clock. */
  now: string;
  actor: Actor;
  /**
   * Decide by the readings of the law in force before issue 14, for workflow runs recorded before the
   * `law-readings-v1` marker (their histories must replay as recorded): every late re-rating accepted and extended,
   * a revocation decided without a proposal or on another ground, imported certificates checked only against the
   * rule-set they name, and an expiry caught up late dated the day it was applied. Absent: today's readings.
   */
  legacyReadings?: true | undefined;
  /**
   * Check places against the administrative units and product sets against Annex I, and hold a move to the
   * successors of the old places (default true). False only for workflow runs recorded before these checks existed
   * (`place-checks-v1`), so that their saved histories decide as they did.
   */
  placeChecks?: boolean;
  /**
   * The rounds of the case's province as the API read them, for the commands that concern a round
   * (AssignToProvincialRound, ConveneCouncil). Given, an assignment is checked against them: the round must be open
   * and the dossier forwarded before its cut-off. Absent only for runs recorded before `round-gate-v1`.
   */
  rounds?: readonly Round[] | undefined;
}

export const MINISTRY_OFFICE = 'MINISTRY';

/** The actor of deadline commands the workflow issues. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ userId: 'system', role: 'system', office: 'SYSTEM' });
