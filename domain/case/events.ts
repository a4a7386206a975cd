import type { CouncilSeat } from '../council';
import type { RuleSetId } from '../rules';
import type { CouncilResult, DossierKind, RecognitionLevel, RevocationGround, SubjectFacts } from './commands';
import type { Form03, Outcome, Places } from './state';

/*
 * Events (past tense). Each carries every date and derived value it needs, computed by `decide` from the case's
 * own rule-set, so `evolve` never consults the rules: replaying an old case cannot pick up today's law.
 */

interface CertificateData {
  certificateNumber: string;
  star: 3 | 4 | 5;
  level: RecognitionLevel;
  issuedOn: string;
  expiresOn: string;
  termNo: number;
  ruleSetId: RuleSetId;
  reRatingWindow: { opens: string; closes: string } | null;
}

interface ScoredData extends CouncilResult {
  bandStar: 1 | 2 | 3 | 4 | 5;
  potentialFiveStar: boolean;
  recordedOn: string;
}

export type DomainEvent =
  | {
      type: 'IdeaRegistered';
      data: {
        productId: string;
        subjectId: string;
        subjectName: string;
        productName: string;
        productSetCode: string;
        places: Places;
        ideaSummary: string | null;
        registeredOn: string;
        ruleSetId: RuleSetId;
        /** Present only when the registration stated them (events before issue 19 have none). */
        subjectFacts?: SubjectFacts;
      };
    }
  | { type: 'IdeaAccepted'; data: { note: string | null; acceptedOn: string } }
  | { type: 'IdeaReturned'; data: { reason: string; returnedOn: string } }
  | { type: 'IdeaRevised'; data: { ideaSummary: string; revisedOn: string } }
  | { type: 'BusinessPlanSubmitted'; data: { planRef: string; summary: string | null; submittedOn: string } }
  | { type: 'BusinessPlanApproved'; data: { note: string | null; approvedOn: string } }
  | { type: 'BusinessPlanReturned'; data: { reason: string; returnedOn: string } }
  | {
      type: 'DossierSubmitted';
      data: {
        cycleNo: number;
        kind: DossierKind;
        ruleSetId: RuleSetId;
        dossierRef: string;
        selfAssessedScore: number | null;
        sampleCount: number | null;
        filedOn: string;
        late: boolean;
        communeDue: string | null;
        decisionDue: string | null;
        /** The subject's facts as the dossier states them, when it does. */
        subjectFacts?: SubjectFacts;
      };
    }
  | {
      type: 'DossierReturnedForCompletion';
      data: { reason: string; missing: string[]; completeBy: string; returnedOn: string; by: 'commune' | 'province' };
    }
  | {
      type: 'DossierCompleted';
      data: { dossierRef: string; note: string | null; completedOn: string; communeDue: string | null };
    }
  | { type: 'CommuneCheckOverdue'; data: { due: string } }
  | { type: 'DossierLapsed'; data: { completeBy: string; lapsedOn: string } }
  | { type: 'CommuneAssessed'; data: Form03 }
  | {
      type: 'DossierForwarded';
      data: { letterRef: string; sampleCount: number | null; forwardedOn: string; decisionDue: string | null };
    }
  | {
      type: 'AssignedToRound';
      data: {
        round: number | null;
        year: number;
        cutOff: string | null;
        decideBy: string;
        label: string | null;
        decisionDue: string;
        /** The province's round the dossier joined; recorded from round-gate-v1 on. */
        roundId?: string;
      };
    }
  | { type: 'EvidenceRequested'; data: { items: string[]; dueDate: string; requestedOn: string } }
  | { type: 'EvidenceSubmitted'; data: { evidenceRefs: string[]; note: string | null; submittedOn: string } }
  | { type: 'EvidenceOverdue'; data: { dueDate: string } }
  | { type: 'SiteVisitRecorded'; data: { visitedOn: string; findings: string; by: 'province' | 'ministry' } }
  | {
      type: 'LabTestRecorded';
      data: { laboratory: string; reportRef: string; testedOn: string; passed: boolean; by: 'province' | 'ministry' };
    }
  | { type: 'CouncilResultRecorded'; data: ScoredData }
  | {
      type: 'CouncilConvened';
      data: {
        sheetCode: string;
        members: CouncilSeat[];
        quorum: number;
        convenedOn: string;
      };
    }
  | {
      type: 'CouncilScoresSubmitted';
      data: {
        memberId: string;
        total: number;
        selections: { criterionId: string; optionId: string; note: string | null }[];
        submittedOn: string;
      };
    }
  | {
      type: 'DossierRejected';
      data: { ground: string; reason: string; rejectedOn: string; by: 'province' | 'ministry' };
    }
  | {
      type: 'EvaluationClosed';
      data: {
        outcome: Extract<Outcome, 'below_three_stars' | 'not_upgraded' | 'not_re_recognised'>;
        star: number;
        closedOn: string;
      };
    }
  | {
      type: 'SentToMinistry';
      data: {
        letterRef: string;
        approvalDecisionRef: string;
        sentOn: string;
        /** The central round (Art. 5.2); null under rule-sets without a fixed calendar. */
        cutOff: string | null;
        decideBy: string | null;
      };
    }
  | { type: 'CentralCouncilResultRecorded'; data: ScoredData }
  | {
      type: 'RecognitionDecided';
      data: {
        star: 3 | 4 | 5;
        level: RecognitionLevel;
        decisionNumber: string;
        decidedOn: string;
        score: number;
        /** The rule-set the decision was taken under (QĐ 148 → 148+1489 once districts were gone). */
        ruleSetId: RuleSetId;
      };
    }
  | { type: 'CertificateIssued'; data: CertificateData & { replaces: string | null } }
  | {
      type: 'RevocationProposed';
      data: { ground: RevocationGround; concludedOn: string; finding: string; decideBy: string };
    }
  | { type: 'RevocationOverdue'; data: { decideBy: string } }
  | { type: 'RevocationDismissed'; data: { reason: string; dismissedOn: string } }
  | {
      type: 'CertificateRevoked';
      data: {
        certificateNumber: string;
        ground: RevocationGround;
        concludedOn: string;
        decisionNumber: string;
        reason: string;
        revokedOn: string;
        level: 'province' | 'ministry';
        /** Decided after the 15 days of Art. 8.4. */
        late: boolean;
      };
    }
  | { type: 'DossierWithdrawn'; data: { reason: string; withdrawnOn: string; keepsCertificate: boolean } }
  | {
      type: 'CertifiedProductImported';
      data: {
        productId: string;
        subjectId: string;
        subjectName: string;
        productName: string;
        productSetCode: string;
        places: Places;
        ruleSetId: RuleSetId;
        certificate: CertificateData & { decisionNumber: string | null; issuedBy: string | null };
        source: string | null;
        importedOn: string;
        subjectFacts?: SubjectFacts;
      };
    }
  | {
      type: 'DossierInProgressImported';
      data: {
        productId: string;
        subjectId: string;
        subjectName: string;
        productName: string;
        productSetCode: string;
        places: Places;
        ruleSetId: RuleSetId;
        cycleNo: number;
        kind: DossierKind;
        dossierRef: string;
        filedOn: string;
        forwardedOn: string;
        decisionDue: string | null;
        source: string | null;
        importedOn: string;
        subjectFacts?: SubjectFacts;
      };
    }
  | {
      type: 'PlacesUpdated';
      data: {
        previous: Places;
        places: Places;
        reason: string;
        updatedOn: string;
        /** Why the case was moved to places that do not succeed its old ones (absent for a move to a successor). */
        override?: string;
      };
    }
  | { type: 'DecisionOverdue'; data: { due: string } }
  | { type: 'ReRatingWindowOpened'; data: { opens: string; closes: string } }
  | { type: 'ReRatingWindowClosed'; data: { closes: string } }
  | { type: 'CertificateExtended'; data: { certificateNumber: string; expiresOn: string; extendedUntil: string } }
  | {
      type: 'CertificateExpired';
      data: {
        certificateNumber: string;
        expiresOn: string;
        endedOn: string;
        /** Why it ended now: its term ran out, its Art. 12.3 extension ran out, or the re-rating ended without it. */
        reason: 'term_ended' | 'extension_ended' | 're_rating_ended';
      };
    };

export type DomainEventType = DomainEvent['type'];
export type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

/** An event as the workflow stores it: stamped with the instant it was recorded and the case's rule-set. */
export type RecordedEvent = DomainEvent & { at: string; ruleSetId: RuleSetId };
