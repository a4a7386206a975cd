import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  commandSchema,
  decide,
  DomainError,
  earliest,
  initialState,
  localDate,
  nextDeadline,
  record,
  summarize,
  SYSTEM_ACTOR,
  textIssues,
  type Actor,
  type CaseState,
  type Command,
  type CommandMeta,
  type Round,
} from '../domain';
import {
  dueReminders,
  keepSent,
  nextReminderAt,
  noticesForEvents,
  scheduledReminders,
  type Notice,
  type NotificationOffsets,
} from '../domain/notifications';
import type { Activities } from '../activities';
import { CertificateExpiryKey, CommuneKey, ProvinceKey, StageKey, StarKey } from '../temporal/search-attributes';
import { CaseFailureType, caseFailure, domainFailure, staleVersionFailure } from '../temporal/failures';
import {
  commandUpdate,
  snapshotQuery,
  type CommandRequest,
  type CommandResult,
  type ProductCaseInput,
} from './messages';

const recordsOptions = {
  startToCloseTimeout: '30 seconds',
  // A database outage must delay a command, never lose it: retry without limit, backing off to a minute.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;
const { recordEvents } = proxyActivities<Activities>(recordsOptions);
/**
 * The same activity run as a local activity: the append is a short idempotent write, so it need not be scheduled
 * through the server. This saves the server a task queue round trip and three history events per command.
 */
const {
  recordEvents: recordEventsLocally,
  enqueueNotices: enqueueNoticesLocally,
  notificationOffsets: notificationOffsetsLocally,
} = proxyLocalActivities<Activities>(recordsOptions);

const { deliverNotices, notificationOffsets } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  // The activity throws while a delivery is still pending; a row is dead-lettered after its attempts, which ends it.
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

/**
 * Version markers of changes to this workflow (see README, "Changing the workflow"). Runs recorded before a marker
 * existed replay without the change; new runs take it.
 */
export const PATCHES = {
  /** Notices on recorded events and reminders before deadlines (issue 6). */
  notifications: 'notifications-v1',
  /** No "re-rating window open" notice when the window had already closed (a late import catching up). */
  staleWindowNotice: 'stale-window-notice-v1',
  /** Events are appended by a local activity, and search attributes are upserted only when they change. */
  leanCommands: 'lean-commands-v1',
  /**
   * Notices are written to the outbox in the append's transaction (reminders by a local activity) and delivered by
   * the worker's sender, instead of by a `deliverNotices` activity per command; the offsets come from a local one.
   */
  outbox: 'outbox-v1',
  /**
   * A run whose first command opens a certificate term (an import) stays that term's run instead of continuing as new
   * at once, and deadlines already due when the loop reaches them (a late import catching up) are applied without a
   * timer: an import then costs one workflow task and one run instead of several.
   */
  catchUp: 'catch-up-v1',
  /**
   * The readings of the law of issue 14: a late re-rating refused unless art. 12.3 (transitional) covers the
   * certificate, which alone is extended; a revocation decided only on a proposal, on its ground; imports checked
   * against the rule-set in force on the issue date; an expiry caught up late dated the certificate's own last day;
   * deadlines that fell before an import become history without notices. Runs recorded before it decide as recorded.
   */
  lawReadings: 'law-readings-v1',
  /**
   * A run started by a command its validator refused (an Update-with-Start whose registration or import was refused)
   * ends at once instead of waiting forever with an empty case. Recorded only by such runs.
   */
  refusedStart: 'refused-start-v1',
  /**
   * Places are checked against the administrative units of the command's business date and product sets against
   * Annex I, and a move must go to a successor of the old places (issue 14). Asked when such a command is applied, so
   * a run started before it takes the checks from its next such command on, while saved histories replay unchanged.
   */
  placeChecks: 'place-checks-v1',
  /**
   * A command's answer is its events and the new version, not the whole case state (which the API never read, and
   * which up to 64 remembered answers carried across each continue-as-new), and the append is sent the events alone:
   * the read models fold them, so the state no longer crosses to the activity to be folded a third time and compared.
   * Implies every earlier change, so a new run records this one marker.
   */
  leanAnswer: 'lean-answer-v1',
  /**
   * An assignment to a provincial round is checked against the province's rounds that come with the command (issue
   * 16): the round must be open and the dossier forwarded before its cut-off, and the event names the round. Asked
   * when an assignment is applied, as place-checks-v1 is, so saved histories replay their assignments unchecked.
   */
  roundGate: 'round-gate-v1',
} as const;

/** The commands whose decision `place-checks-v1` changes. */
const PLACE_COMMANDS: ReadonlySet<string> = new Set([
  'RegisterIdea',
  'ImportCertifiedProduct',
  'ImportDossierInProgress',
  'UpdatePlaces',
]);

/** Commands whose results a run keeps (and hands to the next run) to answer retries with the first result. */
const RECENT_RESULTS = 64;
/** A run continues as new past this many events even if the server does not suggest it yet. */
const MAX_EVENTS_PER_RUN = 1_000;

/**
 * One product's OCOP case, from idea to expiry. The rules live in `domain/`; this function only orders
 * commands, records their events through an activity, and sleeps until the next legal deadline.
 */
export async function productCase(input: ProductCaseInput): Promise<CaseState> {
  const { productId } = input;
  // A run started with the newest change has every earlier one as well, so it records that one marker, not one per
  // change (each marker also costs a search-attribute upsert); older runs find their own markers in history.
  const leanAnswer = patched(PATCHES.leanAnswer);
  const lawReadings = leanAnswer || patched(PATCHES.lawReadings);
  const catchingUp = lawReadings || patched(PATCHES.catchUp);
  /** What the decider needs to know of the run's version: runs before law-readings-v1 keep the old readings. */
  const readings = lawReadings ? {} : { legacyReadings: true as const };
  const outboxed = catchingUp || patched(PATCHES.outbox);
  const notifying = outboxed || patched(PATCHES.notifications);
  const lean = outboxed || patched(PATCHES.leanCommands);
  /** The search attributes last upserted, so unchanged ones are not written again. */
  let published = '';
  /** Notices caused by recorded events, waiting to be handed to the delivery activity. */
  const outbox: Notice[] = [];
  /** Reminders already handed over, by business key (the outbox would refuse a second delivery anyway). */
  const sentReminders = new Set<string>(input.carried?.sentReminders ?? []);
  const deliveries = new Set<Promise<void>>();
  let state: CaseState = input.carried?.state ?? initialState;
  let version = input.carried?.version ?? 0;
  const run = input.carried?.run ?? 1;
  const recent = new Map<string, CommandResult>(input.carried?.recent ?? []);
  let termAtStart = termOf(state);
  let eventsThisRun = 0;
  let busy = false;
  /** The deployment's reminder offsets, in history (a local activity's result); null until known, or not notifying. */
  let offsets: NotificationOffsets | null = null;
  /** The version at which an overdue deadline was last applied without a timer. */
  let caughtUpAt = -1;
  /** When the latest event was recorded; deadline commands are never dated before it. */
  let lastAt = input.carried?.lastAt ?? '';

  setHandler(snapshotQuery, () => ({ productId, version, state, run }));

  /** Decides and records one command; callers hold the `busy` turn so commands apply one at a time. */
  async function apply(
    commandId: string,
    command: Command,
    actor: Actor,
    at?: string,
    rounds?: readonly Round[],
  ): Promise<CommandResult> {
    // A deadline's command takes effect at the deadline itself (never before the case's last event), so an expiry
    // is dated the certificate's last valid day however late the timer fires.
    const now = at && at > lastAt ? at : new Date().toISOString();
    const placeChecks = PLACE_COMMANDS.has(command.type) ? patched(PATCHES.placeChecks) : true;
    const roundGate = command.type === 'AssignToProvincialRound' ? patched(PATCHES.roundGate) : true;
    const decided = decideOrFail(command, state, {
      now,
      actor,
      ...readings,
      placeChecks,
      ...(roundGate ? { rounds: rounds ?? [] } : {}),
    });
    const before = state;
    const { state: next, recorded, states } = record(state, decided, now);
    if (recorded.length > 0) {
      // From outbox-v1 on, the notices are written with their events; before it, a delivery activity took them.
      const notices =
        notifying && outboxed
          ? withoutStaleNotices(
              noticesForEvents(before, recorded, next, { pastAsHistory: lawReadings, states }),
              now,
              true,
            )
          : [];
      const appended = await (lean ? recordEventsLocally : recordEvents)({
        productId,
        commandId,
        expectedVersion: version,
        actor,
        occurredAt: now,
        ruleSetId: recorded[recorded.length - 1]!.ruleSetId,
        events: recorded.map(({ type, data }) => ({ type, data })),
        // Before lean-answer-v1 the activity was also sent the state, to compare with its own fold.
        ...(leanAnswer ? {} : { state: next as unknown as { status: string } }),
        ...(notices.length > 0 ? { notices } : {}),
        // From catch-up-v1 on, a run's first append brings the reminder offsets (no local activity of their own).
        ...(catchingUp && offsets === null ? { withOffsets: true as const } : {}),
      });
      if (offsets === null && appended.offsets) offsets = appended.offsets;
      state = next;
      lastAt = now;
      version += recorded.length;
      // The run's first events opened a term (an import): this run is that term's, there is nothing to leave behind.
      if (catchingUp && eventsThisRun === 0) termAtStart = termOf(state);
      eventsThisRun += recorded.length;
      published = publishSearchAttributes(state, lean ? published : null);
      if (notifying && !outboxed)
        outbox.push(...withoutStaleNotices(noticesForEvents(before, recorded, next, { states }), now, false));
    }
    const result: CommandResult = leanAnswer
      ? { productId, version, events: recorded }
      : { productId, version, state, events: recorded };
    remember(commandId, result);
    return result;
  }

  /**
   * Waits until no other command is being applied, then holds the turn (the caller releases it). From catch-up-v1 on,
   * a free case is taken at once, without a pass of the SDK's condition check, and a waiter checks again after it is
   * released, since one pass may release several waiters.
   */
  async function takeTurn(): Promise<void> {
    if (catchingUp) {
      while (busy) await condition(() => !busy);
    } else {
      await condition(() => !busy);
    }
    busy = true;
  }

  function remember(commandId: string, result: CommandResult) {
    recent.set(commandId, result);
    while (recent.size > RECENT_RESULTS) recent.delete(recent.keys().next().value as string);
  }

  setHandler(
    commandUpdate,
    async (request: CommandRequest) => {
      const first = recent.get(request.commandId);
      if (first) return first;
      await takeTurn();
      try {
        const raced = recent.get(request.commandId);
        if (raced) return raced;
        // Another command may have been applied while this one waited for its turn.
        refuseStale(request.expectedVersion, version);
        return await apply(request.commandId, request.command, request.actor, undefined, request.rounds);
      } finally {
        busy = false;
      }
    },
    {
      // Reject an illegal command before it is written to history; a retry of a known command always passes.
      validator: (request: CommandRequest) => {
        if (recent.has(request.commandId)) return;
        refuseStale(request.expectedVersion, version);
        // Text no record may hold, in any field (also those the schema leaves open), is refused before history.
        const [bad] = textIssues(request.command, { limit: 1 });
        if (bad) {
          throw caseFailure(CaseFailureType.InvalidCommand, `${['command', ...bad.path].join('.')}: ${bad.message}`);
        }
        const parsed = commandSchema.safeParse(request.command);
        if (!parsed.success) throw caseFailure(CaseFailureType.InvalidCommand, parsed.error.message);
        // Validators do not run on replay: a new command is always checked as place-checks-v1 decides it.
        decideOrFail(parsed.data, state, {
          now: new Date().toISOString(),
          actor: request.actor,
          ...readings,
          rounds: request.rounds ?? [],
        });
      },
    },
  );

  if (catchingUp) {
    // Let the Updates this run was started with take their turn first (the check runs after them): a first command
    // brings the reminder offsets with its append, and a run without one asks for them below.
    await condition(() => true);
    if (busy) await condition(() => offsets !== null || !busy);
    // Nothing was recorded and nothing is being applied: the Update this run was started with was refused.
    if (version === 0 && input.carried === undefined && !busy && allHandlersFinished()) {
      if (patched(PATCHES.refusedStart)) return state;
    }
  }
  if (notifying && offsets === null) offsets = await (outboxed ? notificationOffsetsLocally : notificationOffsets)();

  /**
   * Runs before outbox-v1: hands notices to the delivery activity without holding up commands or deadlines while a
   * channel is down.
   */
  function deliver(notices: Notice[]) {
    if (notices.length === 0) return;
    const delivery = deliverNotices(notices).then(
      () => undefined,
      (err: unknown) => log.error('notice delivery failed for good', { productId, error: String(err) }),
    );
    deliveries.add(delivery);
    void delivery.finally(() => deliveries.delete(delivery));
  }

  for (;;) {
    deliver(outbox.splice(0));
    const reminders = offsets ? scheduledReminders(state, offsets) : [];
    const due = dueReminders(reminders, new Date().toISOString(), sentReminders);
    due.forEach((n) => sentReminders.add(n.key));
    if (!outboxed) deliver(due);
    else if (due.length > 0) await enqueueNoticesLocally(due);

    const deadline = nextDeadline(state);
    const reminderAt = nextReminderAt(reminders, new Date().toISOString(), sentReminders);
    const wakeAt = earliest(deadline?.due ?? null, reminderAt);
    const seen = version;
    const wake = () => version !== seen || outbox.length > 0 || shouldContinueAsNew();
    // A deadline already due is applied at once, without a timer and another workflow task, once per version (so a
    // deadline whose command changed nothing cannot spin the loop).
    const overdue = catchingUp && deadline !== null && Date.parse(deadline.due) <= Date.now() && version !== caughtUpAt;
    let timedOut = true;
    if (overdue) caughtUpAt = version;
    else if (wakeAt) timedOut = !(await condition(wake, Math.max(1, Date.parse(wakeAt) - Date.now())));
    else {
      await condition(wake);
      timedOut = false;
    }
    if (timedOut && deadline && Date.parse(deadline.due) <= Date.now()) {
      await takeTurn();
      try {
        // The deadline may have moved while we waited for the turn; only the one still pending is due.
        const still = nextDeadline(state);
        if (still && still.kind === deadline.kind && Date.parse(still.due) <= Date.now()) {
          await apply(`deadline:${run}:${version}:${still.kind}`, still.command, SYSTEM_ACTOR, still.due);
        }
      } finally {
        busy = false;
      }
    }
    if (shouldContinueAsNew()) {
      await Promise.all(deliveries);
      await condition(() => !busy && allHandlersFinished());
      // Nothing may await between the check and continueAsNew: an Update accepted in between would be cut off.
      // Notices a last command produced are delivered by another turn of the loop first.
      if (outbox.length === 0 && deliveries.size === 0) {
        await continueAsNew<typeof productCase>({
          productId,
          carried: {
            state,
            version,
            run: run + 1,
            recent: [...recent],
            lastAt,
            sentReminders: offsets ? keepSent(sentReminders, scheduledReminders(state, offsets)) : [],
          },
        });
      }
    }
  }

  function shouldContinueAsNew(): boolean {
    return (
      workflowInfo().continueAsNewSuggested || eventsThisRun >= MAX_EVENTS_PER_RUN || termOf(state) !== termAtStart
    );
  }
}

/** Thrown for a command decided on an older version of the case (If-Match); the API answers 412. */
function refuseStale(expected: number | undefined, version: number): void {
  if (expected === undefined || expected === version) return;
  throw staleVersionFailure(version, expected);
}

function decideOrFail(command: Command, state: CaseState, meta: CommandMeta) {
  try {
    return decide(command, state, meta);
  } catch (err: unknown) {
    if (err instanceof DomainError) throw domainFailure(err);
    throw err;
  }
}

/** Drops a "window open" notice recorded after the window closed: the "closed" notice says what matters. */
function withoutStaleNotices(notices: Notice[], now: string, outboxed: boolean): Notice[] {
  const stale = (n: Notice) =>
    n.kind === 're_rating_window_opened' && typeof n.facts.closes === 'string' && n.facts.closes < localDate(now);
  if (!notices.some(stale)) return notices;
  return outboxed || patched(PATCHES.staleWindowNotice) ? notices.filter((n) => !stale(n)) : notices;
}

/** Which certificate term the case is in; a new term starts a new run, which keeps every run's history short. */
function termOf(state: CaseState): number {
  return summarize(state).termNo;
}

/** Upserts the case's search attributes unless they equal `previous`; returns what they now are. */
function publishSearchAttributes(state: CaseState, previous: string | null): string {
  const s = summarize(state);
  const current = JSON.stringify([s.stage, s.star, s.provinceCode, s.communeCode, s.certificateExpiry]);
  if (current === previous) return current;
  const pairs: SearchAttributeUpdatePair[] = [
    { key: StageKey, value: s.stage },
    { key: StarKey, value: s.star ?? null },
    { key: ProvinceKey, value: s.provinceCode ?? null },
    { key: CommuneKey, value: s.communeCode ?? null },
    {
      key: CertificateExpiryKey,
      value: s.certificateExpiry ? new Date(`${s.certificateExpiry}T00:00:00+07:00`) : null,
    },
  ];
  upsertSearchAttributes(pairs);
  return current;
}
