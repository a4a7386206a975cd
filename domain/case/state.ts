import type { RuleSetId } from '../rules';
import type { CouncilResult, DossierKind, RecognitionLevel, RevocationGround, SubjectFacts } from './commands';

/*
 * The case's state: a fold over its recorded events. Dates are Vietnamese calendar dates (YYYY-MM-DD), instants
 * are ISO UTC strings; everything is plain JSON so the workflow can carry it across continue-as-new.
 */

export const Stage = {
  None: 'none',
  /** Ý tưởng sản phẩm đã đăng ký, waiting for the commune. */
  IdeaRegistered: 'idea_registered',
  IdeaReturned: 'idea_returned',
  IdeaAccepted: 'idea_accepted',
  /** Phương án SXKD submitted. */
  PlanSubmitted: 'plan_submitted',
  /** Plan approved and being carried out; the subject may file a first-evaluation dossier. */
  PlanApproved: 'plan_approved',
  /** Dossier at the commune, inside the 15-working-day check. */
  DossierSubmitted: 'dossier_submitted',
  /** Returned for completion (hoàn thiện hồ sơ). */
  DossierReturned: 'dossier_returned',
  /** Form 03 written, not yet forwarded. */
  CommuneAssessed: 'commune_assessed',
  /** At the provincial OCOP body, waiting for a round. */
  Forwarded: 'forwarded',
  /** In a provincial round, with the advisory team (Tổ tư vấn). */
  UnderReview: 'under_review',
  EvidenceRequested: 'evidence_requested',
  /** The provincial council's result is recorded; a decision is due. */
  CouncilScored: 'council_scored',
  /** Potential 5★ sent to the Ministry of Agriculture and Environment. */
  AtMinistry: 'at_ministry',
  CentralScored: 'central_scored',
  /** Recognition decided (quyết định công nhận); the certificate is to be issued. */
  Recognised: 'recognised',
  /** Holds a valid certificate and no application is under way. */
  Certified: 'certified',
  /** The last evaluation ended without a certificate (1–2★, knock-out, lapse). */
  NotRecognised: 'not_recognised',
  Expired: 'expired',
  Revoked: 'revoked',
  /** Terminal: the subject withdrew the product. */
  Withdrawn: 'withdrawn',
} as const;
export type Stage = (typeof Stage)[keyof typeof Stage];
export const STAGES = Object.values(Stage) as readonly Stage[];

export interface Places {
  provinceCode: string;
  communeCode: string;
  districtCode: string | null;
}

export interface ReRatingWindowState {
  opens: string;
  closes: string;
  state: 'pending' | 'open' | 'closed';
}

/** Giấy chứng nhận kết quả đánh giá, phân hạng sản phẩm OCOP. */
export interface Certificate {
  number: string;
  star: 3 | 4 | 5;
  level: RecognitionLevel;
  issuedOn: string;
  /** Last day of validity (36 months after issue). */
  expiresOn: string;
  /** Art. 12.3: valid past expiry while a re-rating is pending, up to this day. */
  extendedUntil: string | null;
  termNo: number;
  ruleSetId: RuleSetId;
  /** Null when the rule-set in force at T−180 fixes no window (before QĐ 26/2026). */
  reRatingWindow: ReRatingWindowState | null;
  imported: boolean;
}

export interface PendingRevocation {
  ground: RevocationGround;
  concludedOn: string;
  finding: string;
  decideBy: string;
  overdue: boolean;
}

export interface Form03 {
  localRawMaterials: 'meets' | 'partly' | 'does_not_meet';
  localLabour: 'meets' | 'partly' | 'does_not_meet';
  ideaOrigin: 'traditional' | 'new' | 'adapted';
  localIdentity: 'meets' | 'partly' | 'does_not_meet';
  reportRef: string;
  proposal: string | null;
  assessedOn: string;
}

export interface ReviewEntry {
  kind: 'evidence_requested' | 'evidence_submitted' | 'evidence_overdue' | 'site_visit' | 'lab_test';
  on: string;
  summary: string;
}

export interface ScoredResult extends CouncilResult {
  bandStar: 1 | 2 | 3 | 4 | 5;
  potentialFiveStar: boolean;
  recordedOn: string;
}

export interface CouncilPanel {
  sheetCode: string;
  members: { memberId: string; role: 'chair' | 'member' | 'secretary' }[];
  quorum: number;
  scores: {
    memberId: string;
    total: number;
    selections: { criterionId: string; optionId: string; note: string | null }[];
  }[];
}

/** One evaluation cycle (lần đánh giá): first evaluation, upgrade or re-rating, judged by its own rule-set. */
export interface Evaluation {
  cycleNo: number;
  kind: DossierKind;
  ruleSetId: RuleSetId;
  dossierRef: string;
  filedOn: string;
  /** Filed after the re-rating window closed (Art. 12.3). */
  late: boolean;
  receivedOn: string;
  communeDue: string | null;
  communeOverdue: boolean;
  returned: { reason: string; missing: string[]; completeBy: string; backTo: Stage } | null;
  form03: Form03 | null;
  forwardedOn: string | null;
  round: {
    round: number | null;
    year: number;
    cutOff: string | null;
    decideBy: string;
    label: string | null;
    /** The round opened by the province (round:<province>:<year>:<n>); absent before round-gate-v1. */
    roundId?: string | null;
  } | null;
  evidenceDue: string | null;
  review: ReviewEntry[];
  /** Latest date the decision is due: round, 45-day re-rating limit, or the transitional 60/30 days. */
  decisionDue: string | null;
  decisionOverdue: boolean;
  /** The council scoring online, with each member's sheet as submitted (the last one counts). */
  panel: CouncilPanel | null;
  council: ScoredResult | null;
  ministry: { sentOn: string; cutOff: string | null; decideBy: string | null } | null;
  central: ScoredResult | null;
  decision: { star: 3 | 4 | 5; level: RecognitionLevel; decisionNumber: string; decidedOn: string } | null;
}

export type Outcome =
  | 'certified'
  | 'knocked_out'
  | 'below_three_stars'
  | 'not_upgraded'
  | 'not_re_recognised'
  | 'lapsed'
  | 'withdrawn'
  | 'revoked';

export interface CaseCore {
  productId: string;
  subjectId: string;
  subjectName: string;
  /** The subject's facts as last stated (at registration, then with each dossier); absent when never stated. */
  subjectFacts?: SubjectFacts | undefined;
  productName: string;
  productSetCode: string;
  places: Places;
  /** Earlier places (before the 2025 merger), newest first, at most 5. */
  formerPlaces: Places[];
  /** The rule-set judging the current or last cycle. */
  ruleSetId: RuleSetId;
  registeredOn: string;
  ideaSummary: string | null;
  planRef: string | null;
  lastReturnReason: string | null;
  /** Number of evaluation cycles started. */
  cycleNo: number;
  /** Number of certificate terms; the workflow continues-as-new per term. */
  termNo: number;
  certificate: Certificate | null;
  certificateEnded: { how: 'expired' | 'revoked'; on: string; number: string } | null;
  revocation: PendingRevocation | null;
  lastOutcome: { outcome: Outcome; on: string; reason: string | null } | null;
}

type Open<S extends Stage> = CaseCore & { status: S; evaluation: null };
type Evaluating<S extends Stage> = CaseCore & { status: S; evaluation: Evaluation };

export const EVALUATION_STAGES = [
  Stage.DossierSubmitted,
  Stage.DossierReturned,
  Stage.CommuneAssessed,
  Stage.Forwarded,
  Stage.UnderReview,
  Stage.EvidenceRequested,
  Stage.CouncilScored,
  Stage.AtMinistry,
  Stage.CentralScored,
  Stage.Recognised,
] as const;
export type EvaluationStage = (typeof EVALUATION_STAGES)[number];

export type CaseState =
  | { status: 'none' }
  | Open<'idea_registered'>
  | Open<'idea_returned'>
  | Open<'idea_accepted'>
  | Open<'plan_submitted'>
  | Open<'plan_approved'>
  | Evaluating<'dossier_submitted'>
  | Evaluating<'dossier_returned'>
  | Evaluating<'commune_assessed'>
  | Evaluating<'forwarded'>
  | Evaluating<'under_review'>
  | Evaluating<'evidence_requested'>
  | Evaluating<'council_scored'>
  | Evaluating<'at_ministry'>
  | Evaluating<'central_scored'>
  | Evaluating<'recognised'>
  | Open<'certified'>
  | Open<'not_recognised'>
  | Open<'expired'>
  | Open<'revoked'>
  | Open<'withdrawn'>;

export type ActiveCase = Exclude<CaseState, { status: 'none' }>;
export type EvaluatingCase = Extract<ActiveCase, { evaluation: Evaluation }>;

export const initialState: CaseState = { status: 'none' };

export function isEvaluating(state: CaseState): state is EvaluatingCase {
  return (EVALUATION_STAGES as readonly string[]).includes(state.status);
}

/** Where a case rests when an evaluation ends without a new certificate. */
export function restingStage(
  core: CaseCore,
  kind: DossierKind | null,
): 'certified' | 'expired' | 'revoked' | 'not_recognised' {
  if (core.certificate) return 'certified';
  // A failed first evaluation says more about the case than a certificate that ended before it was filed.
  if (core.certificateEnded && kind !== 'first') return core.certificateEnded.how;
  return 'not_recognised';
}
