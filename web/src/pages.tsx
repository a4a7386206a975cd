import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import {
  api,
  isProblem,
  newKey,
  type CaseDetail,
  type CaseView,
  type CommandAnswer,
  type Session,
  type WorkItem,
} from './api';
import { STAGE_ORDER, useI18n, type I18n } from './i18n';
import { useUnits } from './places';
import { Link, navigate, queryOf, useLocation } from './router';
import { CaseTable, Head, Loading, OutcomeView, Page, Stars, usePlaceName, type Outcome } from './ui';

/* The pages of the application. Each reads the API through the typed client and shows names, never codes. */

/** Today's date in Vietnam, as YYYY-MM-DD. */
const todayInVietnam = () => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** What a command's answer changed, in the language shown. */
function changed(i: I18n, answer: CommandAnswer): string {
  const what = answer.events.map((e) => i.event(e.type)).join(', ');
  return i.t('changed', { what: what || i.t('none'), stage: i.stage(answer.case.stage) });
}

/** The problem an error body is, or a plain one when the answer was not a problem document. */
const problemOf = (error: unknown, status: number) =>
  isProblem(error) ? error : { type: 'about:blank', title: `HTTP ${status}`, status, detail: `HTTP ${status}` };

// ------------------------------------------------------------------------------------------------ worklist

function daysText(i: I18n, item: WorkItem) {
  if (item.workingDaysLeft === null) return i.t('noDue');
  if (item.workingDaysLeft < 0) return i.t('overdueBy', { n: -item.workingDaysLeft });
  // Marked overdue by the case itself (its clock ran past the limit) while today's count is not yet negative.
  if (item.overdue) return '';
  return i.t('left', { n: item.workingDaysLeft });
}

export function WorklistPage({ session }: { session: Session }) {
  const i = useI18n();
  const [items, setItems] = useState<WorkItem[] | null>(null);
  useEffect(() => {
    void api.GET('/worklist').then(({ data }) => setItems(data?.items ?? []));
  }, [session.grant?.grantId]);
  const units = useUnits((items ?? []).map((w) => w.case.communeCode));
  const place = usePlaceName();
  return (
    <Page title={i.t('worklist')}>
      <p>{i.t('worklistIntro')}</p>
      {items === null ? (
        <Loading />
      ) : items.length === 0 ? (
        <p>{i.t('nothingToDo')}</p>
      ) : (
        <div className="table-wrap">
          <table className="worklist">
            <caption className="sr-only">{i.t('worklist')}</caption>
            <Head
              columns={[i.t('product'), i.t('subject'), i.t('commune'), i.t('stage'), i.t('dueOn'), i.t('daysLeft')]}
            />
            <tbody>
              {items.map((w) => (
                <tr
                  key={w.case.productId}
                  className={w.overdue ? 'overdue' : undefined}
                  data-product={w.case.productId}
                >
                  <td>
                    <Link to={`/cases/${encodeURIComponent(w.case.productId)}`}>
                      {w.case.productName ?? w.case.productId}
                    </Link>
                  </td>
                  <td>{w.case.subjectName}</td>
                  <td>{place(units, w.case.communeCode)}</td>
                  <td>{i.stage(w.case.stage)}</td>
                  <td>{i.date(w.dueOn)}</td>
                  <td>
                    {w.overdue && <span className="badge overdue-badge">{i.t('overdue')}</span>} {daysText(i, w)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

// ------------------------------------------------------------------------------------------------ one case

type Action = 'form03' | 'forward' | 'returnDossier' | 'acceptIdea' | 'approvePlan';

/** The actions a role may take in a stage: only these are offered. */
function actionsOf(role: string | undefined, stage: string): Action[] {
  if (role !== 'commune_officer') return [];
  switch (stage) {
    case 'idea_registered':
      return ['acceptIdea'];
    case 'plan_submitted':
      return ['approvePlan'];
    case 'dossier_submitted':
      return ['form03', 'returnDossier'];
    case 'commune_assessed':
      return ['forward', 'returnDossier'];
    default:
      return [];
  }
}

function Field({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
    </div>
  );
}

function Choice({
  id,
  label,
  options,
  value,
  onChange,
}: {
  id: string;
  label: string;
  options: string[];
  value: string;
  onChange: (v: string) => void;
}) {
  const { t } = useI18n();
  return (
    <Field id={id} label={label}>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} required>
        <option value="">{t('choose')}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {t(o as 'meets')}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** A date typed as dd/MM/yyyy (as people write it in Vietnam), given to the API as YYYY-MM-DD. */
function DateInput({ id, value, onChange }: { id: string; value: string; onChange: (iso: string) => void }) {
  const [text, setText] = useState(() => value.split('-').reverse().join('/'));
  return (
    <input
      id={id}
      required
      inputMode="numeric"
      placeholder="dd/mm/yyyy"
      pattern="\d{2}/\d{2}/\d{4}"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(e.target.value.trim());
        onChange(m ? `${m[3]}-${m[2]}-${m[1]}` : e.target.value);
      }}
    />
  );
}

const LEVELS = ['meets', 'partly', 'does_not_meet'];
type Level = 'meets' | 'partly' | 'does_not_meet';

function ActionForm({
  action,
  c,
  onDone,
}: {
  action: Action;
  c: CaseDetail;
  onDone: (o: Outcome, d?: CaseDetail) => void;
}) {
  const i = useI18n();
  const [key] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [v, setV] = useState<Record<string, string>>({});
  const set = (name: string) => (value: string) => setV((old) => ({ ...old, [name]: value }));
  const text = (name: string) => ({
    id: `${action}-${name}`,
    value: v[name] ?? '',
    onChange: (e: { target: { value: string } }) => set(name)(e.target.value),
  });
  const path = { productId: c.productId };
  const header = { 'idempotency-key': key, 'if-match': `"${c.version}"` };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const params = { path, header };
    const r =
      action === 'form03'
        ? await api.POST('/products/{productId}/assess-dossier-at-commune', {
            params,
            body: {
              localRawMaterials: (v.localRawMaterials ?? '') as Level,
              localLabour: (v.localLabour ?? '') as Level,
              localIdentity: (v.localIdentity ?? '') as Level,
              ideaOrigin: (v.ideaOrigin ?? '') as 'traditional',
              reportRef: v.reportRef ?? '',
              ...(v.proposal ? { proposal: v.proposal } : {}),
            },
          })
        : action === 'forward'
          ? await api.POST('/products/{productId}/forward-dossier-to-province', {
              params,
              body: { letterRef: v.letterRef ?? '', ...(v.sampleCount ? { sampleCount: Number(v.sampleCount) } : {}) },
            })
          : action === 'returnDossier'
            ? await api.POST('/products/{productId}/return-dossier-for-completion', {
                params,
                body: {
                  reason: v.reason ?? '',
                  completeBy: v.completeBy ?? '',
                  missing: (v.missing ?? '')
                    .split('\n')
                    .map((s) => s.trim())
                    .filter(Boolean),
                },
              })
            : action === 'acceptIdea'
              ? await api.POST('/products/{productId}/accept-idea', { params, body: v.note ? { note: v.note } : {} })
              : await api.POST('/products/{productId}/approve-business-plan', {
                  params,
                  body: v.note ? { note: v.note } : {},
                });
    setBusy(false);
    if (r.data) onDone({ ok: true, text: changed(i, r.data) }, r.data.case);
    else onDone({ ok: false, problem: problemOf(r.error, r.response.status) });
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="card action" aria-labelledby={`${action}-title`}>
      <h3 id={`${action}-title`}>{i.t(action)}</h3>
      {action === 'form03' && (
        <>
          {(['localRawMaterials', 'localLabour', 'localIdentity'] as const).map((n) => (
            <Choice
              key={n}
              id={`${action}-${n}`}
              label={i.t(n)}
              options={LEVELS}
              value={v[n] ?? ''}
              onChange={set(n)}
            />
          ))}
          <Choice
            id={`${action}-ideaOrigin`}
            label={i.t('ideaOrigin')}
            options={['traditional', 'new', 'adapted']}
            value={v.ideaOrigin ?? ''}
            onChange={set('ideaOrigin')}
          />
          <Field id={`${action}-reportRef`} label={i.t('reportRef')}>
            <input {...text('reportRef')} required maxLength={200} />
          </Field>
          <Field id={`${action}-proposal`} label={i.t('proposal')}>
            <textarea {...text('proposal')} maxLength={2000} />
          </Field>
        </>
      )}
      {action === 'forward' && (
        <>
          <Field id={`${action}-letterRef`} label={i.t('letterRef')}>
            <input {...text('letterRef')} required maxLength={200} />
          </Field>
          <Field id={`${action}-sampleCount`} label={i.t('sampleCount')}>
            <input {...text('sampleCount')} type="number" min={0} max={100} inputMode="numeric" />
          </Field>
        </>
      )}
      {action === 'returnDossier' && (
        <>
          <Field id={`${action}-reason`} label={i.t('reason')}>
            <textarea {...text('reason')} required maxLength={2000} />
          </Field>
          <Field id={`${action}-missing`} label={i.t('missing')}>
            <textarea {...text('missing')} />
          </Field>
          <Field id={`${action}-completeBy`} label={i.t('completeBy')}>
            <DateInput id={`${action}-completeBy`} value={v.completeBy ?? ''} onChange={set('completeBy')} />
          </Field>
        </>
      )}
      {(action === 'acceptIdea' || action === 'approvePlan') && (
        <Field id={`${action}-note`} label={i.t('note')}>
          <textarea {...text('note')} maxLength={2000} />
        </Field>
      )}
      <button type="submit" disabled={busy}>
        {i.t(action)}
      </button>
    </form>
  );
}

export function CasePage({ productId, session }: { productId: string; session: Session }) {
  const i = useI18n();
  const [c, setC] = useState<CaseDetail | null | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const load = useCallback(async () => {
    const { data } = await api.GET('/products/{productId}', { params: { path: { productId } } });
    setC(data ?? null);
  }, [productId]);
  useEffect(() => void load(), [load]);
  const units = useUnits([c?.communeCode, c?.provinceCode]);
  const place = usePlaceName();
  if (c === undefined) return <Loading />;
  if (c === null) return <Page title={i.t('notFound')}>{null}</Page>;
  const actions = actionsOf(session.grant?.role, c.stage);
  const done = (o: Outcome, updated?: CaseDetail) => {
    setOutcome(o);
    if (updated) setC(updated);
  };
  return (
    <Page title={c.productName ?? i.t('caseTitle')}>
      <OutcomeView outcome={outcome} />
      <dl className="facts">
        <dt>{i.t('subject')}</dt>
        <dd>{c.subjectName}</dd>
        <dt>{i.t('commune')}</dt>
        <dd>
          {place(units, c.communeCode)}, {place(units, c.provinceCode)}
        </dd>
        <dt>{i.t('stage')}</dt>
        <dd data-testid="stage">{i.stage(c.stage)}</dd>
        {c.star != null && (
          <>
            <dt>{i.t('star')}</dt>
            <dd>
              <Stars star={c.star} />
            </dd>
          </>
        )}
        {c.certificateNumber && (
          <>
            <dt>{i.t('certificateNumber')}</dt>
            <dd>
              {c.certificateNumber} ({i.t('expiresOn')} {i.date(c.certificateExpiry)})
            </dd>
          </>
        )}
        {c.overdue && (
          <>
            <dt>{i.t('overdue')}</dt>
            <dd>
              <span className="badge overdue-badge">{i.t('overdue')}</span>
            </dd>
          </>
        )}
      </dl>
      <p>
        <Link to={`/cases/${encodeURIComponent(c.productId)}/history`}>{i.t('timeline')}</Link>
      </p>
      <h2>{i.t('deadlines')}</h2>
      {c.deadlines.length === 0 ? (
        <p>{i.t('none')}</p>
      ) : (
        <ul>
          {c.deadlines.map((d) => (
            <li key={d.kind + d.date}>
              {i.deadline(d.kind)}: {i.date(d.date)}
            </li>
          ))}
        </ul>
      )}
      <h2>{i.t('actions')}</h2>
      {actions.length === 0 ? (
        <p>{i.t('noActions')}</p>
      ) : (
        <div className="actions">
          {actions.map((a) => (
            <ActionForm key={`${a}-${c.version}`} action={a} c={c} onDone={done} />
          ))}
        </div>
      )}
    </Page>
  );
}

// ------------------------------------------------------------------------------------------------ register

type ProductSet = { code: string; name: { vi: string; en: string } };

function useProductSets(): ProductSet[] {
  const [sets, setSets] = useState<ProductSet[]>([]);
  useEffect(() => {
    void api.GET('/product-sets').then(({ data }) => setSets(data?.productSets ?? []));
  }, []);
  return sets;
}

export function RegisterPage({ session }: { session: Session }) {
  const i = useI18n();
  const commune = session.grant?.jurisdiction ?? '';
  const units = useUnits([commune]);
  const place = usePlaceName();
  const sets = useProductSets();
  const [key, setKey] = useState(newKey);
  const [v, setV] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [created, setCreated] = useState<string | null>(null);
  const text = (name: string) => ({
    id: `reg-${name}`,
    value: v[name] ?? '',
    onChange: (e: { target: { value: string } }) => setV((old) => ({ ...old, [name]: e.target.value })),
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await api.POST('/products', {
      params: { header: { 'idempotency-key': key } },
      body: {
        subjectId: v.subjectId ?? '',
        subjectName: v.subjectName ?? '',
        productName: v.productName ?? '',
        productSetCode: v.productSetCode ?? '',
        provinceCode: units(commune)?.provinceCode ?? '',
        communeCode: commune,
        ...(v.ideaSummary ? { ideaSummary: v.ideaSummary } : {}),
      },
    });
    if (r.data) {
      setOutcome({ ok: true, text: i.t('registered', { name: r.data.productName ?? '' }) });
      setCreated(r.data.productId);
      setKey(newKey());
      setV({});
    } else setOutcome({ ok: false, problem: problemOf(r.error, r.response.status) });
  };
  return (
    <Page title={i.t('register')}>
      <OutcomeView outcome={outcome} />
      {created && (
        <p>
          <Link to={`/cases/${encodeURIComponent(created)}`}>{i.t('open')}</Link>
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} className="card">
        <p>
          {i.t('commune')}: {place(units, commune)}
        </p>
        <Field id="reg-subjectId" label={i.t('subjectId')}>
          <input {...text('subjectId')} required maxLength={64} />
        </Field>
        <Field id="reg-subjectName" label={i.t('subjectName')}>
          <input {...text('subjectName')} required maxLength={300} />
        </Field>
        <Field id="reg-productName" label={i.t('productName')}>
          <input {...text('productName')} required maxLength={300} />
        </Field>
        <Field id="reg-productSetCode" label={i.t('productSet')}>
          <select {...text('productSetCode')} required>
            <option value="">{i.t('choose')}</option>
            {sets.map((s) => (
              <option key={s.code} value={s.code}>
                {s.name[i.lang]}
              </option>
            ))}
          </select>
        </Field>
        <Field id="reg-ideaSummary" label={i.t('ideaSummary')}>
          <textarea {...text('ideaSummary')} maxLength={2000} />
        </Field>
        <button type="submit">{i.t('register')}</button>
      </form>
    </Page>
  );
}

// ------------------------------------------------------------------------------------------------ board

const valueOf = (v: FormDataEntryValue | null) => (typeof v === 'string' ? v : '');
const BOARD_FILTERS = ['commune', 'productSet', 'star', 'year', 'stage', 'overdue'] as const;

export function BoardPage({ session }: { session: Session }) {
  const i = useI18n();
  const { query } = useLocation();
  const f = Object.fromEntries(BOARD_FILTERS.map((k) => [k, query.get(k) ?? ''])) as Record<
    (typeof BOARD_FILTERS)[number],
    string
  >;
  const jurisdiction = session.grant?.jurisdiction ?? '';
  const province = /^\d{2}$/.test(jurisdiction) ? jurisdiction : null;
  const sets = useProductSets();
  const [communes, setCommunes] = useState<{ code: string; name: string }[]>([]);
  useEffect(() => {
    if (province)
      void api
        .GET('/places', { params: { query: { province } } })
        .then(({ data }) => setCommunes(data?.communes ?? []));
  }, [province]);
  const common = {
    ...(f.commune ? { commune: f.commune } : {}),
    ...(f.productSet ? { productSet: f.productSet } : {}),
    ...(f.star ? { star: Number(f.star) } : {}),
    ...(f.year ? { year: Number(f.year) } : {}),
  };
  const key = query.toString();
  const [counts, setCounts] = useState<{ key: string; count: number }[] | null>(null);
  const [total, setTotal] = useState(0);
  const [cases, setCases] = useState<CaseView[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [overdueIds, setOverdueIds] = useState<Set<string>>(new Set());
  const [overdueMore, setOverdueMore] = useState(false);
  useEffect(() => {
    setCounts(null);
    setCases(null);
    void api
      .GET('/statistics', { params: { query: { kind: 'case', groupBy: 'status', ...common } } })
      .then(({ data }) => {
        setCounts(data?.groups ?? []);
        setTotal(data?.total ?? 0);
      });
    const listed = { ...common, ...(f.stage ? { stage: f.stage } : {}) };
    void api
      .GET('/products', {
        params: { query: { ...listed, ...(f.overdue ? { overdue: 'true' as const } : {}), limit: 50 } },
      })
      .then(({ data }) => {
        setCases(data?.items ?? []);
        setNext(data?.nextCursor ?? null);
      });
    void api.GET('/products', { params: { query: { ...common, overdue: 'true', limit: 200 } } }).then(({ data }) => {
      setOverdueIds(new Set((data?.items ?? []).map((c) => c.productId)));
      setOverdueMore(!!data?.nextCursor);
    });
  }, [key]);
  const more = async () => {
    if (!next) return;
    const { data } = await api.GET('/products', {
      params: {
        query: {
          ...common,
          ...(f.stage ? { stage: f.stage } : {}),
          ...(f.overdue ? { overdue: 'true' as const } : {}),
          cursor: next,
          limit: 50,
        },
      },
    });
    setCases((old) => [...(old ?? []), ...(data?.items ?? [])]);
    setNext(data?.nextCursor ?? null);
  };
  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    navigate(`/board${queryOf(Object.fromEntries(BOARD_FILTERS.map((k) => [k, valueOf(form.get(k))])))}`);
  };
  const link = (values: Partial<typeof f>) => `/board${queryOf({ ...f, ...values })}`;
  const byStage = new Map((counts ?? []).map((g) => [g.key, g.count]));
  return (
    <Page title={i.t('board')}>
      <form
        onSubmit={apply}
        className="filters card"
        key={`${key}-${communes.length}-${sets.length}`}
        aria-label={i.t('filters')}
      >
        {province && (
          <Field id="f-commune" label={i.t('commune')}>
            <select id="f-commune" name="commune" defaultValue={f.commune}>
              <option value="">{i.t('all')}</option>
              {communes.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field id="f-productSet" label={i.t('productSet')}>
          <select id="f-productSet" name="productSet" defaultValue={f.productSet}>
            <option value="">{i.t('all')}</option>
            {sets.map((s) => (
              <option key={s.code} value={s.code}>
                {s.name[i.lang]}
              </option>
            ))}
          </select>
        </Field>
        <Field id="f-star" label={i.t('star')}>
          <select id="f-star" name="star" defaultValue={f.star}>
            <option value="">{i.t('all')}</option>
            {[3, 4, 5].map((s) => (
              <option key={s} value={s}>
                {'★'.repeat(s)} ({s})
              </option>
            ))}
          </select>
        </Field>
        <Field id="f-year" label={i.t('year')}>
          <input id="f-year" name="year" type="number" min={2000} max={2100} defaultValue={f.year} />
        </Field>
        <Field id="f-stage" label={i.t('stage')}>
          <select id="f-stage" name="stage" defaultValue={f.stage}>
            <option value="">{i.t('all')}</option>
            {STAGE_ORDER.map((s) => (
              <option key={s} value={s}>
                {i.stage(s)}
              </option>
            ))}
          </select>
        </Field>
        <div className="field check">
          <input id="f-overdue" name="overdue" type="checkbox" value="true" defaultChecked={f.overdue === 'true'} />
          <label htmlFor="f-overdue">{i.t('overdueOnly')}</label>
        </div>
        <div className="buttons">
          <button type="submit">{i.t('apply')}</button>
          <Link to="/board">{i.t('clear')}</Link>
        </div>
      </form>
      <h2>{i.t('byStage')}</h2>
      {counts === null ? (
        <Loading />
      ) : (
        <ul className="stage-counts" data-testid="stage-counts">
          {STAGE_ORDER.filter((s) => byStage.has(s)).map((s) => (
            <li key={s} data-stage={s}>
              <Link to={link({ stage: s, overdue: '' })} aria-current={f.stage === s ? 'true' : undefined}>
                <span className="count" data-count={byStage.get(s)}>
                  {byStage.get(s)}
                </span>{' '}
                {i.stage(s)}
              </Link>
            </li>
          ))}
          <li data-stage="total">
            <Link to={link({ stage: '', overdue: '' })}>
              <span className="count" data-count={total}>
                {total}
              </span>{' '}
              {i.t('total')}
            </Link>
          </li>
          <li data-stage="overdue" className="overdue">
            <Link to={link({ stage: '', overdue: 'true' })}>
              <span className="count" data-count={overdueIds.size}>
                {overdueIds.size}
                {overdueMore ? '+' : ''}
              </span>{' '}
              {i.t('overdueCount')}
            </Link>
          </li>
        </ul>
      )}
      <h2>{i.t('cases')}</h2>
      {cases === null ? (
        <Loading />
      ) : (
        <>
          <CaseTable
            cases={cases}
            caption={i.t('cases')}
            extra={{
              header: i.t('overdue'),
              cell: (c) =>
                overdueIds.has(c.productId) ? <span className="badge overdue-badge">{i.t('overdue')}</span> : null,
            }}
          />
          {next && (
            <button type="button" onClick={() => void more()}>
              {i.t('more')}
            </button>
          )}
        </>
      )}
    </Page>
  );
}

// ------------------------------------------------------------------------------------------------ certificates

type Certificate = {
  certificateNumber: string;
  productId: string;
  star: number;
  issuedOn: string;
  expiresOn: string;
  productName: string | null;
  subjectName: string | null;
  communeCode: string | null;
};

export function CertificatesPage() {
  const i = useI18n();
  const { query } = useLocation();
  const within = ['30', '90', '180'].includes(query.get('within') ?? '') ? Number(query.get('within')) : 90;
  const [items, setItems] = useState<Certificate[] | null>(null);
  useEffect(() => {
    setItems(null);
    const before = addDays(todayInVietnam(), within + 1);
    void api
      .GET('/certificates', { params: { query: { expiringBefore: before, status: 'valid', limit: 200 } } })
      .then(({ data }) => setItems([...(data?.items ?? [])].sort((a, b) => a.expiresOn.localeCompare(b.expiresOn))));
  }, [within]);
  const units = useUnits((items ?? []).map((c) => c.communeCode));
  const place = usePlaceName();
  return (
    <Page title={i.t('certificates')}>
      <nav aria-label={i.t('expiringWithin')} className="tabs">
        <span>{i.t('expiringWithin')}:</span>
        {[30, 90, 180].map((n) => (
          <Link key={n} to={`/certificates?within=${n}`} aria-current={n === within ? 'page' : undefined}>
            {i.t('days', { n })}
          </Link>
        ))}
      </nav>
      {items === null ? (
        <Loading />
      ) : items.length === 0 ? (
        <p>{i.t('none')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption>
              {i.t('certificates')} – {i.t('days', { n: within })}
            </caption>
            <Head
              columns={[
                i.t('certificateNumber'),
                i.t('product'),
                i.t('subject'),
                i.t('commune'),
                i.t('star'),
                i.t('expiresOn'),
              ]}
            />
            <tbody>
              {items.map((c) => (
                <tr key={c.certificateNumber}>
                  <td>{c.certificateNumber}</td>
                  <td>
                    <Link to={`/cases/${encodeURIComponent(c.productId)}`}>{c.productName ?? c.productId}</Link>
                  </td>
                  <td>{c.subjectName}</td>
                  <td>{place(units, c.communeCode)}</td>
                  <td>
                    <Stars star={c.star} />
                  </td>
                  <td>{i.date(c.expiresOn)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

// ------------------------------------------------------------------------------------------------ figures

const DIMENSIONS = ['star', 'productSet', 'commune', 'province', 'yearRegistered', 'status'] as const;
type Dimension = (typeof DIMENSIONS)[number];
const DIMENSION_LABEL: Record<Dimension, Record<'vi' | 'en', string>> = {
  star: { vi: 'Hạng sao', en: 'Stars' },
  productSet: { vi: 'Bộ sản phẩm', en: 'Product set' },
  commune: { vi: 'Xã, phường', en: 'Commune' },
  province: { vi: 'Tỉnh, thành phố', en: 'Province' },
  yearRegistered: { vi: 'Năm đăng ký', en: 'Year registered' },
  status: { vi: 'Giai đoạn', en: 'Stage' },
};
/** The board's filter that opens the cases behind a figure. */
const FILTER_OF: Record<Dimension, string> = {
  star: 'star',
  productSet: 'productSet',
  commune: 'commune',
  province: 'province',
  yearRegistered: 'year',
  status: 'stage',
};

export function FiguresPage() {
  const i = useI18n();
  const { query } = useLocation();
  const by = (DIMENSIONS as readonly string[]).includes(query.get('by') ?? '')
    ? (query.get('by') as Dimension)
    : 'star';
  const sets = useProductSets();
  const [rows, setRows] = useState<{ keys: (string | null)[]; names: (string | null)[]; count: number }[] | null>(null);
  useEffect(() => {
    setRows(null);
    // The route also answers CSV and xlsx (format=csv|xlsx); asked for JSON, the data is the JSON object.
    void api
      .GET('/reports/figures', { params: { query: { by } } })
      .then(({ data }) => setRows(typeof data === 'object' ? data.rows : []));
  }, [by]);
  const label = (key: string | null, name: string | null) => {
    if (key === null) return i.t('none');
    if (by === 'status') return i.stage(key);
    if (by === 'star') return i.lang === 'vi' ? `${key} sao` : `${key} stars`;
    if (by === 'productSet') return sets.find((s) => s.code === key)?.name[i.lang] ?? '…';
    return name ?? key;
  };
  const max = Math.max(1, ...(rows ?? []).map((r) => r.count));
  const linkOf = (key: string | null) =>
    key === null || by === 'province' ? null : `/board${queryOf({ [FILTER_OF[by]]: key })}`;
  return (
    <Page title={i.t('figures')}>
      <nav aria-label={i.t('groupBy')} className="tabs">
        <span>{i.t('groupBy')}:</span>
        {DIMENSIONS.map((d) => (
          <Link key={d} to={`/figures?by=${d}`} aria-current={d === by ? 'page' : undefined}>
            {DIMENSION_LABEL[d][i.lang]}
          </Link>
        ))}
      </nav>
      {rows === null ? (
        <Loading />
      ) : (
        <>
          <h2>{i.t('chart')}</h2>
          <ul className="chart" aria-label={i.t('chart')}>
            {rows.map((r) => {
              const to = linkOf(r.keys[0] ?? null);
              const text = `${label(r.keys[0] ?? null, r.names[0] ?? null)}: ${r.count}`;
              return (
                <li key={String(r.keys[0])}>
                  <span className="bar-label">{label(r.keys[0] ?? null, r.names[0] ?? null)}</span>
                  <span className="bar" style={{ width: `${(r.count / max) * 100}%` }} aria-hidden="true" />
                  {to ? (
                    <Link to={to} aria-label={i.t('viewCases', { n: r.count, label: text })}>
                      {r.count}
                    </Link>
                  ) : (
                    <span>{r.count}</span>
                  )}
                </li>
              );
            })}
          </ul>
          <h2>{i.t('table')}</h2>
          <div className="table-wrap">
            <table>
              <caption>
                {i.t('figures')}: {DIMENSION_LABEL[by][i.lang]}
              </caption>
              <Head columns={[DIMENSION_LABEL[by][i.lang], i.t('count')]} />
              <tbody>
                {rows.map((r) => {
                  const to = linkOf(r.keys[0] ?? null);
                  return (
                    <tr key={String(r.keys[0])}>
                      <th scope="row">{label(r.keys[0] ?? null, r.names[0] ?? null)}</th>
                      <td>{to ? <Link to={to}>{r.count}</Link> : r.count}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Page>
  );
}

// ------------------------------------------------------------------------------------------------ search

type Hit = {
  productId: string;
  productName: string | null;
  subjectName: string | null;
  stage: string;
  star: number | null;
  certificateNumbers: string[];
  provinceName: string | null;
  communeName: string | null;
};

export function SearchPage() {
  const i = useI18n();
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const [hits, setHits] = useState<Hit[] | null>(null);
  useEffect(() => {
    setHits(null);
    if (q.trim())
      void api.GET('/search', { params: { query: { q, limit: 50 } } }).then(({ data }) => setHits(data?.items ?? []));
    else setHits([]);
  }, [q]);
  return (
    <Page title={i.t('searchResults')}>
      <p>«{q}»</p>
      {hits === null ? (
        <Loading />
      ) : hits.length === 0 ? (
        <p role="status">{i.t('noResults')}</p>
      ) : (
        <ol className="hits" data-testid="hits">
          {hits.map((h) => (
            <li key={h.productId}>
              <Link to={`/cases/${encodeURIComponent(h.productId)}`}>{h.productName ?? h.productId}</Link>{' '}
              <Stars star={h.star} />
              <div className="muted-dark">
                {h.subjectName} · {[h.communeName, h.provinceName].filter(Boolean).join(', ')} · {i.stage(h.stage)}
                {h.certificateNumbers.length > 0 && ` · ${h.certificateNumbers.join(', ')}`}
              </div>
            </li>
          ))}
        </ol>
      )}
    </Page>
  );
}

// ------------------------------------------------------------------------------------------------ timeline

type HistoryItem = {
  position: number;
  type: string;
  data?: unknown;
  actor: { userId: string; role: string; office: string };
  occurredAt: string;
  ruleSetId: string;
};

/** A case's timeline (who, role, office, when, rule-set, each event's content), as an auditor reads it. */
export function TimelinePage({ productId }: { productId: string }) {
  const i = useI18n();
  const [items, setItems] = useState<HistoryItem[] | null>(null);
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    void api
      .GET('/products/{productId}', { params: { path: { productId } } })
      .then(({ data }) => setName(data?.productName ?? null));
    void (async () => {
      const all: HistoryItem[] = [];
      let after: number | undefined;
      for (;;) {
        const { data } = await api.GET('/products/{productId}/history', {
          params: { path: { productId }, query: { limit: 500, ...(after !== undefined ? { after } : {}) } },
        });
        const page = data?.items ?? [];
        all.push(...page);
        if (!data || page.length < 500) break;
        after = page.at(-1)!.position;
      }
      setItems(all);
    })();
  }, [productId]);
  const units = useUnits((items ?? []).map((e) => e.actor.office));
  const place = usePlaceName();
  const office = (code: string) =>
    code === 'MINISTRY' ? i.role('ministry') : /^\d{2,5}$/.test(code) ? place(units, code) : code;
  return (
    <Page title={`${i.t('timeline')}: ${name ?? ''}`}>
      <p>
        <Link to={`/cases/${encodeURIComponent(productId)}`}>{i.t('caseTitle')}</Link>
      </p>
      {items === null ? (
        <Loading />
      ) : (
        <div className="table-wrap">
          <table data-testid="timeline">
            <caption className="sr-only">{i.t('timeline')}</caption>
            <Head
              columns={[
                '#',
                i.t('when'),
                i.t('event'),
                i.t('who'),
                i.t('role'),
                i.t('office'),
                i.t('ruleSet'),
                i.t('content'),
              ]}
            />
            <tbody>
              {items.map((e) => (
                <tr key={e.position} data-type={e.type}>
                  <td>{e.position}</td>
                  <td>{i.dateTime(e.occurredAt)}</td>
                  <td>{i.event(e.type)}</td>
                  <td>{e.actor.role === 'system' ? i.t('system') : e.actor.userId}</td>
                  <td>{i.role(e.actor.role)}</td>
                  <td>{office(e.actor.office)}</td>
                  <td>{i.ruleSet(e.ruleSetId)}</td>
                  <td>
                    <details>
                      <summary>{i.t('showContent')}</summary>
                      <pre>{JSON.stringify(e.data, null, 2)}</pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

// ------------------------------------------------------------------------------------------------ my products

/** What a subject does next in a stage, if anything is theirs to do. */
const SUBJECT_NEXT: Record<string, { vi: string; en: string }> = {
  idea_returned: { vi: 'Chỉnh sửa ý tưởng và gửi lại', en: 'Revise the idea and send it again' },
  idea_accepted: { vi: 'Nộp phương án sản xuất kinh doanh', en: 'Submit the business plan' },
  plan_approved: { vi: 'Nộp hồ sơ sản phẩm (Mẫu 01, 02)', en: 'Submit the product dossier (Forms 01, 02)' },
  dossier_returned: { vi: 'Hoàn thiện hồ sơ', en: 'Complete the dossier' },
  evidence_requested: { vi: 'Nộp tài liệu bổ sung', en: 'Submit the evidence asked for' },
  certified: { vi: 'Theo dõi thời hạn đánh giá lại', en: 'Watch the re-rating window' },
};

export function MinePage() {
  const i = useI18n();
  const [cases, setCases] = useState<CaseView[] | null>(null);
  useEffect(() => {
    void api.GET('/products', { params: { query: { limit: 200 } } }).then(({ data }) => setCases(data?.items ?? []));
  }, []);
  return (
    <Page title={i.t('mine')}>
      {cases === null ? (
        <Loading />
      ) : cases.length === 0 ? (
        <p>{i.t('none')}</p>
      ) : (
        <CaseTable
          cases={cases}
          caption={i.t('mine')}
          extra={{
            header: i.t('nextStep'),
            cell: (c) => (
              <>
                {SUBJECT_NEXT[c.stage]?.[i.lang] ?? i.t('none')}
                {c.nextDeadline && (
                  <div className="muted-dark">
                    {i.deadline(c.nextDeadline.kind)}: {i.date(c.nextDeadline.due)}
                  </div>
                )}
              </>
            ),
          }}
        />
      )}
    </Page>
  );
}
