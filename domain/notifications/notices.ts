import { evolve, isEvaluating } from '../case';
import type { ActiveCase, CaseState, RecordedEvent } from '../case';
import { MINISTRY_CODE, NoticeKind } from './types';
import type { Audience, Notice } from './types';

/**
 * The notices that recorded events cause at once: a decision, a returned dossier, a certificate issued, a window
 * opened or closed, a dossier received or overdue, a potential 5★ sent to the Ministry … Each is due at the instant
 * its event was recorded. Events are folded one by one from `before`, so each notice sees the case as it was
 * just before and just after its own event; `after` is the fallback identity (it equals the fold's end).
 */
export function noticesForEvents(
  before: CaseState,
  events: readonly RecordedEvent[],
  after: CaseState,
  options: NoticeOptions = {},
): Notice[] {
  const pastAsHistory = options.pastAsHistory ?? true;
  const out: Notice[] = [];
  let prev = before;
  for (const [i, event] of events.entries()) {
    const next = options.states?.[i] ?? evolve(prev, event);
    const who = activeOf(next) ?? activeOf(prev) ?? activeOf(after);
    const deadline = deadlineOf(event);
    // A deadline that fell before the case came into the engine (an import catching up) is history: the paper
    // file knew it, and a notice now would announce it as news, dated the import.
    const past = pastAsHistory && who != null && deadline != null && deadline < who.registeredOn;
    if (who && !past) out.push(...noticesFor(event, prev, next, who));
    prev = next;
  }
  return out;
}

export interface NoticeOptions {
  /**
   * Events of deadlines that fell before the case's registration or import cause no notice. @default true (runs
   * recorded before law-readings-v1 pass false).
   */
  pastAsHistory?: boolean;
  /** The state after each event, as `record` returns them; folded from `before` when not given. */
  states?: readonly CaseState[];
}

/** The local date of the deadline an event records having passed, or null for an event no deadline caused. */
export function deadlineOf(event: RecordedEvent): string | null {
  switch (event.type) {
    case 'CommuneCheckOverdue':
    case 'DecisionOverdue':
      return event.data.due;
    case 'DossierLapsed':
      return event.data.completeBy;
    case 'EvidenceOverdue':
      return event.data.dueDate;
    case 'ReRatingWindowOpened':
      return event.data.opens;
    case 'ReRatingWindowClosed':
      return event.data.closes;
    case 'CertificateExtended':
      return event.data.expiresOn;
    case 'CertificateExpired':
      return event.data.reason === 're_rating_ended' ? null : event.data.endedOn;
    case 'RevocationOverdue':
      return event.data.decideBy;
    default:
      return null;
  }
}

function activeOf(state: CaseState): ActiveCase | null {
  return state.status === 'none' ? null : state;
}

/** `${productId}:${kind}:${parts joined by ':'}`. */
export function noticeKey(productId: string, kind: NoticeKind, parts: readonly (string | number)[]): string {
  return [productId, kind, ...parts].join(':');
}

export function audienceCodeOf(state: ActiveCase, audience: Audience): string {
  switch (audience) {
    case 'subject':
      return state.subjectId;
    case 'commune':
      return state.places.communeCode;
    case 'province':
      return state.places.provinceCode;
    case 'ministry':
      return MINISTRY_CODE;
  }
}

/** Facts every template may use. */
export function baseFacts(state: ActiveCase): Notice['facts'] {
  return {
    productId: state.productId,
    productName: state.productName,
    subjectName: state.subjectName,
    provinceCode: state.places.provinceCode,
    communeCode: state.places.communeCode,
  };
}

function noticesFor(event: RecordedEvent, prev: CaseState, next: CaseState, who: ActiveCase): Notice[] {
  const notice = (
    kind: NoticeKind,
    audience: Audience,
    parts: readonly (string | number)[],
    facts: Notice['facts'],
  ): Notice[] => [
    {
      key: noticeKey(who.productId, kind, parts),
      kind,
      productId: who.productId,
      audience,
      audienceCode: audienceCodeOf(who, audience),
      dueAt: event.at,
      staleAt: null,
      facts: { ...baseFacts(who), ...facts },
    },
  ];
  const prevCert = prev.status === 'none' ? null : prev.certificate;
  const deciderOf = (state: CaseState): Audience =>
    state.status === 'at_ministry' || state.status === 'central_scored' ? 'ministry' : 'province';

  switch (event.type) {
    case 'DossierReturnedForCompletion': {
      const d = event.data;
      return notice(NoticeKind.DossierReturned, 'subject', [d.returnedOn, d.completeBy], {
        reason: d.reason,
        missing: d.missing.join('; '),
        completeBy: d.completeBy,
        returnedOn: d.returnedOn,
        returnedBy: d.by,
      });
    }
    case 'EvidenceRequested': {
      const d = event.data;
      return notice(NoticeKind.EvidenceRequested, 'subject', [d.requestedOn, d.dueDate], {
        items: d.items.join('; '),
        dueDate: d.dueDate,
        requestedOn: d.requestedOn,
      });
    }
    case 'RecognitionDecided': {
      const d = event.data;
      return notice(NoticeKind.RecognitionDecided, 'subject', [d.decidedOn, d.star], {
        star: d.star,
        decisionNumber: d.decisionNumber,
        decidedOn: d.decidedOn,
        score: d.score,
        level: d.level,
      });
    }
    case 'DossierRejected': {
      const d = event.data;
      return notice(NoticeKind.NotRecognised, 'subject', [d.rejectedOn], {
        outcome: 'knocked_out',
        reason: `${d.ground}: ${d.reason}`,
        on: d.rejectedOn,
        star: null,
      });
    }
    case 'EvaluationClosed': {
      const d = event.data;
      return notice(NoticeKind.NotRecognised, 'subject', [d.closedOn], {
        outcome: d.outcome,
        reason: null,
        on: d.closedOn,
        star: d.star,
      });
    }
    case 'DossierLapsed': {
      const d = event.data;
      return notice(NoticeKind.NotRecognised, 'subject', [d.lapsedOn], {
        outcome: 'lapsed',
        reason: null,
        on: d.lapsedOn,
        completeBy: d.completeBy,
        star: null,
      });
    }
    case 'CertificateIssued': {
      const d = event.data;
      return notice(NoticeKind.CertificateIssued, 'subject', [d.issuedOn, `t${d.termNo}`], {
        certificateNumber: d.certificateNumber,
        star: d.star,
        issuedOn: d.issuedOn,
        expiresOn: d.expiresOn,
        windowOpens: d.reRatingWindow?.opens ?? null,
        windowCloses: d.reRatingWindow?.closes ?? null,
      });
    }
    case 'ReRatingWindowOpened':
      return notice(NoticeKind.ReRatingWindowOpened, 'subject', [event.data.opens], {
        opens: event.data.opens,
        closes: event.data.closes,
        certificateNumber: prevCert?.number ?? null,
        expiresOn: prevCert?.expiresOn ?? null,
      });
    case 'ReRatingWindowClosed':
      // Art. 7.6a: no re-rating can be filed any more (the API refuses one), and the certificate ends on its date.
      return notice(NoticeKind.ReRatingWindowClosed, 'subject', [event.data.closes], {
        opens: prevCert?.reRatingWindow?.opens ?? null,
        closes: event.data.closes,
        certificateNumber: prevCert?.number ?? null,
        expiresOn: prevCert?.expiresOn ?? null,
      });
    case 'CertificateExtended': {
      const d = event.data;
      return notice(NoticeKind.CertificateExtended, 'subject', [d.expiresOn, d.extendedUntil], {
        certificateNumber: d.certificateNumber,
        expiresOn: d.expiresOn,
        extendedUntil: d.extendedUntil,
      });
    }
    case 'CertificateExpired': {
      const d = event.data;
      return notice(NoticeKind.CertificateExpired, 'subject', [d.endedOn], {
        certificateNumber: d.certificateNumber,
        expiresOn: d.expiresOn,
        endedOn: d.endedOn,
        reason: d.reason,
      });
    }
    case 'CertificateRevoked': {
      const d = event.data;
      return notice(NoticeKind.CertificateRevoked, 'subject', [d.revokedOn], {
        certificateNumber: d.certificateNumber,
        ground: d.ground,
        reason: d.reason,
        decisionNumber: d.decisionNumber,
        revokedOn: d.revokedOn,
      });
    }
    case 'DossierSubmitted': {
      const d = event.data;
      if (d.communeDue == null) return [];
      return notice(NoticeKind.DossierReceived, 'commune', [d.filedOn, d.communeDue], {
        dossierKind: d.kind,
        dossierRef: d.dossierRef,
        receivedOn: d.filedOn,
        communeDue: d.communeDue,
      });
    }
    case 'DossierCompleted': {
      const d = event.data;
      if (d.communeDue != null) {
        return notice(NoticeKind.DossierReceived, 'commune', [d.completedOn, d.communeDue], {
          dossierKind: isEvaluating(next) ? next.evaluation.kind : null,
          dossierRef: d.dossierRef,
          receivedOn: d.completedOn,
          communeDue: d.communeDue,
        });
      }
      // Completed at the province's request: the dossier waits for the province again.
      return notice(NoticeKind.DossierWaiting, 'province', [d.completedOn], {
        dossierKind: isEvaluating(next) ? next.evaluation.kind : null,
        since: d.completedOn,
        decisionDue: isEvaluating(next) ? next.evaluation.decisionDue : null,
      });
    }
    case 'CommuneCheckOverdue':
      return notice(NoticeKind.CommuneCheckOverdue, 'commune', [event.data.due], { communeDue: event.data.due });
    case 'DossierForwarded': {
      const d = event.data;
      return notice(NoticeKind.DossierWaiting, 'province', [d.forwardedOn], {
        dossierKind: isEvaluating(next) ? next.evaluation.kind : null,
        since: d.forwardedOn,
        decisionDue: d.decisionDue,
      });
    }
    case 'DecisionOverdue':
      return notice(NoticeKind.DecisionOverdue, deciderOf(next), [event.data.due], { decisionDue: event.data.due });
    case 'RevocationOverdue':
      return notice(
        NoticeKind.RevocationOverdue,
        prevCert?.level === 'ministry' ? 'ministry' : 'province',
        [event.data.decideBy],
        {
          decideBy: event.data.decideBy,
          certificateNumber: prevCert?.number ?? null,
          ground: prev.status === 'none' ? null : (prev.revocation?.ground ?? null),
        },
      );
    case 'SentToMinistry': {
      const d = event.data;
      const council = isEvaluating(prev) ? prev.evaluation.council : null;
      return notice(NoticeKind.PotentialFiveStarReceived, 'ministry', [d.sentOn], {
        sentOn: d.sentOn,
        score: council?.averageScore ?? null,
        cutOff: d.cutOff,
        decideBy: d.decideBy,
        letterRef: d.letterRef,
      });
    }
    default:
      return [];
  }
}
