import { StrictMode, useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { api, isProblem, setCsrfToken, setLanguage, type Session } from './api';
import { I18nContext, i18nOf, saveLang, savedLang, useI18n, type Lang, type TextKey } from './i18n';
import { useUnits } from './places';
import { Link, navigate, useLocation } from './router';
import { OutcomeView, Page, usePlaceName, type Outcome } from './ui';
import {
  BoardPage,
  CasePage,
  CertificatesPage,
  FiguresPage,
  MinePage,
  RegisterPage,
  SearchPage,
  TimelinePage,
  WorklistPage,
} from './pages';
import './styles.css';

const OFFICE_NAV: { to: string; label: TextKey }[] = [
  { to: '/worklist', label: 'worklist' },
  { to: '/board', label: 'board' },
  { to: '/certificates', label: 'certificates' },
  { to: '/figures', label: 'figures' },
];

/** The pages each role's navigation offers: only what the role may use. */
const NAV: Record<string, { to: string; label: TextKey }[]> = {
  commune_officer: [
    { to: '/worklist', label: 'worklist' },
    { to: '/register', label: 'register' },
    { to: '/board', label: 'board' },
  ],
  provincial_office: OFFICE_NAV,
  ministry: OFFICE_NAV,
  subject: [{ to: '/mine', label: 'mine' }],
  auditor: [
    { to: '/board', label: 'board' },
    { to: '/figures', label: 'figures' },
  ],
};
const navOf = (role: string | undefined): { to: string; label: TextKey }[] =>
  NAV[role ?? ''] ?? [{ to: '/board', label: 'board' }];

function App() {
  const [lang, setLang] = useState<Lang>(savedLang);
  const i18n = useMemo(() => i18nOf(lang), [lang]);
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    document.documentElement.lang = lang;
    setLanguage(lang);
  }, [lang]);
  const load = useCallback(async () => {
    const { data } = await api.GET('/auth/session');
    if (data) setCsrfToken(data.csrfToken);
    setSession(data ?? null);
  }, []);
  useEffect(() => void load(), [load]);
  const switchLang = () => {
    const next = lang === 'vi' ? 'en' : 'vi';
    saveLang(next);
    setLang(next);
  };
  return (
    <I18nContext.Provider value={i18n}>
      {session === undefined ? null : session === null || session.cannotAct ? (
        <SignIn onSignedIn={(s) => (setCsrfToken(s.csrfToken), setSession(s))} switchLang={switchLang} />
      ) : (
        <Shell session={session} switchLang={switchLang} onSignedOut={() => setSession(null)} />
      )}
    </I18nContext.Provider>
  );
}

function SignIn({ onSignedIn, switchLang }: { onSignedIn: (s: Session) => void; switchLang: () => void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [askTotp, setAskTotp] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = `${t('signIn')} – OCOP`;
  }, [t]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const { data, error } = await api.POST('/auth/login', {
      body: { username, password, ...(askTotp && totp ? { totp } : {}) },
    });
    setBusy(false);
    if (data) {
      if (window.location.pathname.endsWith('/login')) navigate('/', { replace: true });
      return onSignedIn(data);
    }
    if (isProblem(error) && error.code === 'totp_required') {
      setAskTotp(true);
      setOutcome(null);
      return;
    }
    if (isProblem(error)) setOutcome({ ok: false, problem: error });
  };
  return (
    <div className="signin">
      <header className="signin-head">
        <p className="brand">{t('appName')}</p>
        <button type="button" className="link" onClick={switchLang} aria-label={t('languageLabel')}>
          {t('language')}
        </button>
      </header>
      <main id="main">
        <h1>{t('signIn')}</h1>
        <form onSubmit={(e) => void submit(e)} className="card">
          <OutcomeView outcome={outcome} />
          <label htmlFor="username">{t('username')}</label>
          <input
            id="username"
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
          <label htmlFor="password">{t('password')}</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {askTotp && (
            <>
              <p role="status">{t('totpAsked')}</p>
              <label htmlFor="totp">{t('totp')}</label>
              <input
                id="totp"
                name="totp"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="\d{6}"
                required
                autoFocus
                value={totp}
                onChange={(e) => setTotp(e.target.value)}
              />
            </>
          )}
          <button type="submit" disabled={busy}>
            {t('signIn')}
          </button>
        </form>
      </main>
    </div>
  );
}

function Shell({
  session,
  switchLang,
  onSignedOut,
}: {
  session: Session;
  switchLang: () => void;
  onSignedOut: () => void;
}) {
  const i = useI18n();
  const { path, query } = useLocation();
  const grant = session.grant;
  const units = useUnits([grant?.jurisdiction]);
  const place = usePlaceName();
  const jurisdiction = grant ? place(units, grant.jurisdiction) || grant.jurisdiction : '';
  const nav = navOf(grant?.role);
  const [q, setQ] = useState(query.get('q') ?? '');
  useEffect(() => {
    if (path === '/' || path === '/login') navigate(nav[0]!.to, { replace: true });
  }, [path, nav]);
  const signOut = async () => {
    await api.POST('/auth/logout');
    setCsrfToken('');
    onSignedOut();
    navigate('/login', { replace: true });
  };
  const search = (e: FormEvent) => {
    e.preventDefault();
    if (q.trim()) navigate(`/search?q=${encodeURIComponent(q.trim())}`);
  };
  return (
    <>
      <a className="skip" href="#main">
        {i.t('skip')}
      </a>
      <header className="top">
        <div className="brand-row">
          <Link to="/" className="brand">
            {i.t('appName')}
          </Link>
          <div className="who" data-testid="who">
            <span>
              <span className="sr-only">{i.t('signedInAs')}: </span>
              {session.account.name}
            </span>
            <span>
              <span className="sr-only">{i.t('role')}: </span>
              {grant ? i.role(grant.role) : ''}
            </span>
            <span>
              <span className="sr-only">{i.t('jurisdiction')}: </span>
              {jurisdiction}
            </span>
          </div>
          <div className="tools">
            <button type="button" className="link" onClick={switchLang} aria-label={i.t('languageLabel')}>
              {i.t('language')}
            </button>
            <button type="button" onClick={() => void signOut()}>
              {i.t('signOut')}
            </button>
          </div>
        </div>
        <nav aria-label={i.t('nav')}>
          <ul>
            {nav.map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={path.startsWith(n.to) ? 'page' : undefined}>
                  {i.t(n.label)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <form role="search" onSubmit={search} className="search">
          <label htmlFor="q" className="sr-only">
            {i.t('searchLabel')}
          </label>
          <input
            id="q"
            type="search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder={i.t('searchLabel')}
          />
          <button type="submit">{i.t('search')}</button>
        </form>
      </header>
      <main id="main" tabIndex={-1}>
        <Route path={path} session={session} />
      </main>
    </>
  );
}

function Route({ path, session }: { path: string; session: Session }) {
  const { t } = useI18n();
  const timeline = /^\/cases\/([^/]+)\/history$/.exec(path);
  if (timeline) return <TimelinePage productId={decodeURIComponent(timeline[1]!)} />;
  const caseMatch = /^\/cases\/([^/]+)$/.exec(path);
  if (caseMatch) return <CasePage productId={decodeURIComponent(caseMatch[1]!)} session={session} />;
  switch (path) {
    case '/worklist':
      return <WorklistPage session={session} />;
    case '/register':
      return <RegisterPage session={session} />;
    case '/board':
      return <BoardPage session={session} />;
    case '/certificates':
      return <CertificatesPage />;
    case '/figures':
      return <FiguresPage />;
    case '/search':
      return <SearchPage />;
    case '/mine':
      return <MinePage />;
    case '/':
    case '/login':
      return null;
    default:
      return (
        <Page title={t('notFound')}>
          <p>
            <Link to="/">{t('home')}</Link>
          </p>
        </Page>
      );
  }
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
