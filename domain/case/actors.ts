/** Who acts: a user with one role in one office (jurisdiction). */
export type Role =
  'subject' | 'commune_officer' | 'provincial_office' | 'council_member' | 'ministry' | 'auditor' | 'admin' | 'system';

export const ROLES = [
  'subject',
  'commune_officer',
  'provincial_office',
  'council_member',
  'ministry',
  'auditor',
  'admin',
  'system',
] as const satisfies readonly Role[];

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
}

export const MINISTRY_OFFICE = 'MINISTRY';

/** The actor of deadline commands the workflow issues. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ userId: 'system', role: 'system', office: 'SYSTEM' });
