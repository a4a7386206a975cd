/*
 * Notices (thông báo): what the engine tells people, decided from the case's events and state alone. Pure data, so
 * the workflow can compute them in its sandbox and carry them across continue-as-new.
 */

/** Every kind of notice; one template per kind (`notifications/templates.ts`). */
export const NoticeKind = {
  /** Subject: dossier returned for completion (what is missing, by when). */
  DossierReturned: 'dossier_returned',
  /** Subject: the advisory team asks for more evidence, by a date. */
  EvidenceRequested: 'evidence_requested',
  /** Subject: recognition decided (quyết định công nhận). */
  RecognitionDecided: 'recognition_decided',
  /** Subject: the evaluation ended without a certificate (knock-out, below 3★, not upgraded, lapsed). */
  NotRecognised: 'not_recognised',
  /** Subject: certificate issued. */
  CertificateIssued: 'certificate_issued',
  /** Subject: the re-rating window opened (T−180). */
  ReRatingWindowOpened: 're_rating_window_opened',
  /** Subject, reminder: the re-rating window closes soon (T−130 by default). */
  ReRatingWindowClosingSoon: 're_rating_window_closing_soon',
  /** Subject: the re-rating window closed (after T−120). */
  ReRatingWindowClosed: 're_rating_window_closed',
  /** Subject, reminder: the certificate expires in 30 days (default). */
  CertificateExpiringSoon: 'certificate_expiring_soon',
  /** Subject: the certificate reached its expiry with a re-rating pending and stays valid until decided (art. 12.3). */
  CertificateExtended: 'certificate_extended',
  /** Subject: the certificate expired. */
  CertificateExpired: 'certificate_expired',
  /** Subject: the certificate was revoked (thu hồi). */
  CertificateRevoked: 'certificate_revoked',
  /** Commune: a dossier was received (or came back completed), with its 15-working-day deadline. */
  DossierReceived: 'dossier_received',
  /** Commune, reminder: 3 working days (default) left for the check. */
  CommuneCheckReminder: 'commune_check_reminder',
  /** Commune: the 15-working-day check is overdue. */
  CommuneCheckOverdue: 'commune_check_overdue',
  /** Province: a dossier was forwarded and waits for a round. */
  DossierWaiting: 'dossier_waiting',
  /** Province, reminder: the provincial round cut-off is near while the dossier is still at the commune. */
  RoundCutOffApproaching: 'round_cut_off_approaching',
  /** Province, reminder: the central (5★) cut-off is near and the potential 5★ dossier is not yet sent. */
  CentralCutOffApproaching: 'central_cut_off_approaching',
  /** Province (Ministry while at the Ministry), reminder: a decision deadline is near (round, 45-day re-rating). */
  DecisionDueSoon: 'decision_due_soon',
  /** Province (Ministry while at the Ministry): the decision deadline passed. */
  DecisionOverdue: 'decision_overdue',
  /** Province (Ministry for 5★), reminder: the 15-day revocation deadline is near. */
  RevocationDueSoon: 'revocation_due_soon',
  /** Province (Ministry for 5★): the 15-day revocation deadline passed. */
  RevocationOverdue: 'revocation_overdue',
  /** Ministry: a potential 5★ dossier was received. */
  PotentialFiveStarReceived: 'potential_five_star_received',
  /** Commune, yearly programme: the commune has nothing in the pipeline this year (no idea or dossier in progress). */
  ProgrammeIdleCommune: 'programme_idle_commune',
  /** Province, yearly programme: the mid-year (30/06) or year-end (31/12) report of the province's programme. */
  ProgrammeReport: 'programme_report',
} as const;
export type NoticeKind = (typeof NoticeKind)[keyof typeof NoticeKind];
export const NOTICE_KINDS = Object.values(NoticeKind) as readonly NoticeKind[];

export const AUDIENCES = ['subject', 'commune', 'province', 'ministry'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** The audience code of the Ministry of Agriculture and Environment. */
export const MINISTRY_CODE = 'MINISTRY';

export interface Notice {
  /**
   * Business key `${productId}:${kind}:${dates…}`: the dates that identify the occurrence (for a reminder, the
   * deadline it warns of, not its send time, so a changed offset never sends it twice). Stable across retries,
   * replays and continue-as-new; the outbox delivers each key at most once per recipient.
   */
  key: string;
  kind: NoticeKind;
  productId: string;
  audience: Audience;
  /** subjectId, commune code, province code or `MINISTRY`. */
  audienceCode: string;
  /** The instant (ISO UTC) it should be sent. */
  dueAt: string;
  /**
   * For a reminder, the instant after which it is pointless (the deadline it warns of); `null` for notices of
   * something that already happened.
   */
  staleAt: string | null;
  /** What the templates need: product name, dates (YYYY-MM-DD), star, missing items … */
  facts: Record<string, string | number | null>;
}

/** How long before each deadline the reminders go out. Defaults follow the law; deployments may change them. */
export interface NotificationOffsets {
  /** Certificate expires in N days. @default 30 */
  expiryReminderDays: number;
  /** The re-rating window "closes soon" reminder, N days before expiry (the window closes at T−120). @default 130 */
  reRatingClosingSoonDaysBeforeExpiry: number;
  /** Commune check: reminder when N working days are left. @default 3 */
  communeReminderWorkingDaysLeft: number;
  /** Provincial and central round cut-offs: N days before. @default 7 */
  roundCutOffReminderDays: number;
  /** Decision deadlines (round, 45-day re-rating, central round): N days before. @default 7 */
  decisionReminderDays: number;
  /** The 15-day revocation deadline: N days before. @default 3 */
  revocationReminderDays: number;
  /** Local hour (Vietnam, 0–23) at which reminders go out on their day. @default 8 */
  reminderLocalHour: number;
}

export const DEFAULT_OFFSETS: Readonly<NotificationOffsets> = Object.freeze({
  expiryReminderDays: 30,
  reRatingClosingSoonDaysBeforeExpiry: 130,
  communeReminderWorkingDaysLeft: 3,
  roundCutOffReminderDays: 7,
  decisionReminderDays: 7,
  revocationReminderDays: 3,
  reminderLocalHour: 8,
});
