import { addDays, addWorkingDays, CalendarRangeError, endOfLocalDay, startOfLocalDay } from '../calendar';
import { isEvaluating } from '../case';
import type { CaseState } from '../case';
import { centralRoundFor, provincialRoundFor, reRatingExtensionFor, ruleSetById } from '../rules';
import { audienceCodeOf, baseFacts, noticeKey } from './notices';
import { NoticeKind } from './types';
import type { Audience, Notice, NotificationOffsets } from './types';

const HOUR_MS = 3_600_000;

/**
 * The reminders the case's current state implies, each with the instant it should go out (`dueAt`, at
 * `reminderLocalHour` Vietnam time on its day) and the instant it becomes pointless (`staleAt`, the deadline it
 * warns of). Whatever changes the state changes this list: a dossier forwarded has no commune reminder any more.
 *
 * Late reminders: a reminder whose `dueAt` has passed but whose deadline has not (a case imported 20 days before
 * expiry, a dossier received 5 days before a cut-off) is sent once, at once; one whose deadline has passed is
 * dropped, since the overdue or expired notice says it better. `dueReminders` applies that rule.
 */
export function scheduledReminders(state: CaseState, offsets: NotificationOffsets): Notice[] {
  if (state.status === 'none' || state.status === 'withdrawn') return [];
  const out: Notice[] = [];
  const remind = (
    kind: NoticeKind,
    audience: Audience,
    /** The local date it goes out. */
    sendOn: string,
    staleAt: string,
    /** The deadline it warns of: the key's date, independent of the offset. */
    deadline: string,
    facts: Notice['facts'],
  ) =>
    out.push({
      key: noticeKey(state.productId, kind, [deadline]),
      kind,
      productId: state.productId,
      audience,
      audienceCode: audienceCodeOf(state, audience),
      dueAt: atLocalHour(sendOn, offsets.reminderLocalHour),
      staleAt,
      facts: { ...baseFacts(state), ...facts },
    });

  const c = state.certificate;
  const reRatingUnderWay = isEvaluating(state) && state.evaluation.kind === 're_rating';
  // A re-rating under way keeps the certificate alive (art. 12.3): reminding the subject to re-rate is noise.
  if (c && c.extendedUntil == null && !reRatingUnderWay) {
    const w = c.reRatingWindow;
    if (w && w.state !== 'closed') {
      const sendOn = addDays(c.expiresOn, -offsets.reRatingClosingSoonDaysBeforeExpiry);
      if (sendOn >= w.opens && sendOn <= w.closes) {
        remind(NoticeKind.ReRatingWindowClosingSoon, 'subject', sendOn, endOfLocalDay(w.closes), w.closes, {
          opens: w.opens,
          closes: w.closes,
          expiresOn: c.expiresOn,
          certificateNumber: c.number,
          star: c.star,
        });
      }
    }
    remind(
      NoticeKind.CertificateExpiringSoon,
      'subject',
      addDays(c.expiresOn, -offsets.expiryReminderDays),
      endOfLocalDay(c.expiresOn),
      c.expiresOn,
      {
        expiresOn: c.expiresOn,
        certificateNumber: c.number,
        star: c.star,
        daysLeft: offsets.expiryReminderDays,
        // Art. 12.3 covers this certificate: a re-rating filed before expiry keeps it valid until decided, up to then.
        extensionUntil: reRatingExtensionFor(c.expiresOn)?.validAtMostUntil ?? null,
      },
    );
  }
  if (c && state.revocation && !state.revocation.overdue) {
    const r = state.revocation;
    remind(
      NoticeKind.RevocationDueSoon,
      c.level === 'ministry' ? 'ministry' : 'province',
      addDays(r.decideBy, -offsets.revocationReminderDays),
      endOfLocalDay(r.decideBy),
      r.decideBy,
      { decideBy: r.decideBy, concludedOn: r.concludedOn, ground: r.ground, certificateNumber: c.number },
    );
  }

  if (isEvaluating(state)) {
    const e = state.evaluation;
    const atCommune = state.status === 'dossier_submitted' || state.status === 'commune_assessed';
    if (atCommune && e.communeDue != null && !e.communeOverdue) {
      remind(
        NoticeKind.CommuneCheckReminder,
        'commune',
        workingDaysBefore(e.communeDue, offsets.communeReminderWorkingDaysLeft),
        endOfLocalDay(e.communeDue),
        e.communeDue,
        {
          communeDue: e.communeDue,
          receivedOn: e.receivedOn,
          dossierRef: e.dossierRef,
          workingDaysLeft: offsets.communeReminderWorkingDaysLeft,
        },
      );
    }
    const rules = ruleSetById(e.ruleSetId);
    if (atCommune && rules.rounds) {
      const round = provincialRoundFor(e.receivedOn, rules);
      // "Before 30/04" is strict: forwarding on the cut-off day itself is already too late for the round.
      remind(
        NoticeKind.RoundCutOffApproaching,
        'province',
        addDays(round.cutOff, -offsets.roundCutOffReminderDays),
        startOfLocalDay(round.cutOff),
        round.cutOff,
        { cutOff: round.cutOff, round: round.round, year: round.year, receivedOn: e.receivedOn },
      );
    }
    if (state.status === 'council_scored' && e.council?.potentialFiveStar && rules.rounds) {
      const round = centralRoundFor(e.council.recordedOn, rules);
      remind(
        NoticeKind.CentralCutOffApproaching,
        'province',
        addDays(round.cutOff, -offsets.roundCutOffReminderDays),
        startOfLocalDay(round.cutOff),
        round.cutOff,
        { cutOff: round.cutOff, round: round.round, score: e.council.averageScore },
      );
    }
    const awaitingDecision = !['dossier_submitted', 'dossier_returned', 'recognised'].includes(state.status);
    if (awaitingDecision && e.decisionDue != null && !e.decisionOverdue) {
      const atMinistry = state.status === 'at_ministry' || state.status === 'central_scored';
      remind(
        NoticeKind.DecisionDueSoon,
        atMinistry ? 'ministry' : 'province',
        addDays(e.decisionDue, -offsets.decisionReminderDays),
        endOfLocalDay(e.decisionDue),
        e.decisionDue,
        { decisionDue: e.decisionDue, dossierKind: e.kind, roundLabel: e.round?.label ?? null },
      );
    }
  }
  return out.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.key.localeCompare(b.key));
}

/** The reminders to send at `now`: due, not yet sent, and not stale (see `scheduledReminders`). */
export function dueReminders(reminders: readonly Notice[], now: string, sent: ReadonlySet<string>): Notice[] {
  const t = Date.parse(now);
  return reminders.filter((r) => !sent.has(r.key) && Date.parse(r.dueAt) <= t && !isStale(r, t));
}

/**
 * When the workflow should next wake for a reminder: the earliest `dueAt` of the unsent, not stale reminders
 * (possibly already past, meaning "now"), or null when there is none.
 */
export function nextReminderAt(reminders: readonly Notice[], now: string, sent: ReadonlySet<string>): string | null {
  const t = Date.parse(now);
  let next: string | null = null;
  for (const r of reminders) {
    if (sent.has(r.key) || isStale(r, t)) continue;
    if (next === null || Date.parse(r.dueAt) < Date.parse(next)) next = r.dueAt;
  }
  return next;
}

/** The sent keys still worth remembering: those of reminders the state still implies (bounds what a run carries). */
export function keepSent(sent: Iterable<string>, reminders: readonly Notice[]): string[] {
  const live = new Set(reminders.map((r) => r.key));
  return [...sent].filter((k) => live.has(k));
}

function isStale(r: Notice, t: number): boolean {
  return r.staleAt !== null && t >= Date.parse(r.staleAt);
}

function atLocalHour(date: string, hour: number): string {
  return new Date(Date.parse(startOfLocalDay(date)) + hour * HOUR_MS).toISOString();
}

/** `n` working days before `date`; calendar days where the holiday data ends (never throws for a reminder). */
function workingDaysBefore(date: string, n: number): string {
  try {
    return addWorkingDays(date, -n);
  } catch (err) {
    if (err instanceof CalendarRangeError) return addDays(date, -n);
    throw err;
  }
}
