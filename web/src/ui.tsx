import { useEffect, useRef, type ReactNode } from 'react';
import type { CaseView, Problem } from './api';
import { useI18n } from './i18n';
import { useUnits } from './places';
import { Link } from './router';

/** What an action changed or why it was refused, announced to screen readers. */
export type Outcome = { ok: true; text: string } | { ok: false; problem: Problem } | null;

export function OutcomeView({ outcome }: { outcome: Outcome }) {
  const { t, message, has } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  /** A field the problem names, by the label the form shows for it (`body.reportRef`: "Số biên bản"). */
  const fieldLabel = (field: string) => {
    const last = field.split('.').at(-1) ?? field;
    return has(last) ? t(last) : field;
  };
  useEffect(() => {
    if (outcome) ref.current?.focus();
  }, [outcome]);
  if (!outcome) return null;
  if (outcome.ok) {
    return (
      <div className="notice ok" role="status" tabIndex={-1} ref={ref}>
        {outcome.text}
      </div>
    );
  }
  const p = outcome.problem;
  const errors = p.errors ?? [];
  return (
    <div className="notice error" role="alert" tabIndex={-1} ref={ref}>
      <strong>{t('problem')}:</strong> {errors.length === 0 && message(p.detail ?? p.title)}
      {errors.length > 0 && (
        <ul>
          {errors.map((e) => (
            <li key={e.field}>
              {fieldLabel(e.field)}: {message(e.message)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Page({ title, children }: { title: string; children: ReactNode }) {
  useEffect(() => {
    document.title = `${title} – OCOP`;
  }, [title]);
  return (
    <>
      <h1>{title}</h1>
      {children}
    </>
  );
}

/** A place's name, or a plain "unknown" when no unit has the code. */
export function usePlaceName() {
  const { t } = useI18n();
  return (units: ReturnType<typeof useUnits>, code: string | null | undefined) =>
    code ? (units(code)?.name ?? (units(code) ? t('unknownPlace') : '…')) : '';
}

export function Stars({ star }: { star: number | null }) {
  const { lang } = useI18n();
  if (star == null) return null;
  return <span aria-label={lang === 'vi' ? `${star} sao` : `${star} stars`}>{'★'.repeat(star)}</span>;
}

/** Cases as a table: product (a link to the case), subject, commune, stage, stars, and what the caller adds. */
export function CaseTable({
  cases,
  caption,
  extra,
}: {
  cases: CaseView[];
  caption: string;
  extra?: { header: string; cell: (c: CaseView) => ReactNode };
}) {
  const i = useI18n();
  const units = useUnits(cases.flatMap((c) => [c.communeCode, c.provinceCode]));
  const place = usePlaceName();
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <Head
          columns={[
            i.t('product'),
            i.t('subject'),
            i.t('commune'),
            i.t('stage'),
            i.t('star'),
            ...(extra ? [extra.header] : []),
          ]}
        />
        <tbody>
          {cases.map((c) => (
            <tr key={c.productId}>
              <td>
                <Link to={`/cases/${encodeURIComponent(c.productId)}`}>{c.productName ?? c.productId}</Link>
              </td>
              <td>{c.subjectName}</td>
              <td>
                {place(units, c.communeCode)}
                {c.provinceCode && <span className="muted">, {place(units, c.provinceCode)}</span>}
              </td>
              <td>{i.stage(c.stage)}</td>
              <td>
                <Stars star={c.star} />
              </td>
              {extra && <td>{extra.cell(c)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A table's header row: one column header per name. */
export function Head({ columns }: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th scope="col" key={c}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" className="muted">
      {t('loading')}
    </p>
  );
}
