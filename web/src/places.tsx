import { useEffect, useState } from 'react';
import { api } from './api';

/*
 * Names of provinces and communes, asked of the API (GET /places/names) once per code and kept for the page's life:
 * the screens show names, never bare codes.
 */

export interface Unit {
  code: string;
  name: string | null;
  provinceCode: string | null;
}

const known = new Map<string, Unit>();
const listeners = new Set<() => void>();
let pending = new Set<string>();
let timer: ReturnType<typeof setTimeout> | null = null;

function flush() {
  timer = null;
  const codes = [...pending].slice(0, 200);
  pending = new Set([...pending].slice(200));
  if (pending.size > 0) timer = setTimeout(flush, 0);
  if (codes.length === 0) return;
  void api.GET('/places/names', { params: { query: { codes: codes.join(',') } } }).then(({ data }) => {
    for (const u of data?.names ?? []) known.set(u.code, u);
    for (const code of codes) if (!known.has(code)) known.set(code, { code, name: null, provinceCode: null });
    for (const l of listeners) l();
  });
}

const isUnitCode = (code: string) => /^\d{2,5}$/.test(code);

/** The units of these codes, once known (a re-render follows when they arrive). */
export function useUnits(
  codes: readonly (string | null | undefined)[],
): (code: string | null | undefined) => Unit | null {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  const wanted = codes.filter((c): c is string => !!c && isUnitCode(c) && !known.has(c) && !pending.has(c));
  if (wanted.length > 0) {
    for (const c of wanted) pending.add(c);
    timer ??= setTimeout(flush, 0);
  }
  return (code) => (code ? (known.get(code) ?? null) : null);
}
