import type { CaseState } from '../../domain';
import type { CertificateRow } from '../certificates/row';

/** One row of the `counts` read model without its count: what one case or one certificate adds 1 to. */
export interface CountKey {
  kind: 'case' | 'certificate';
  province_code: string;
  commune_code: string;
  product_set_code: string;
  status: string;
  star: number;
  year: number;
}
export interface CountRow extends CountKey {
  n: number;
}

const COUNT_KEY_COLUMNS = [
  'kind',
  'province_code',
  'commune_code',
  'product_set_code',
  'status',
  'star',
  'year',
] as const satisfies readonly (keyof CountKey)[];

/** What a case contributes to `counts`: itself under its stage, and each of its certificates under its status. */
export function countKeys(state: CaseState, certificates: readonly CertificateRow[]): CountKey[] {
  if (state.status === 'none') return [];
  const where = {
    province_code: state.places.provinceCode,
    commune_code: state.places.communeCode,
    product_set_code: state.productSetCode,
  };
  return [
    {
      kind: 'case',
      ...where,
      status: state.status,
      star: state.certificate?.star ?? 0,
      year: Number(state.registeredOn.slice(0, 4)),
    },
    ...certificates.map((c): CountKey => ({
      kind: 'certificate',
      ...where,
      status: c.status,
      star: c.star,
      year: Number(c.issued_on.slice(0, 4)),
    })),
  ];
}

export function countKeyString(k: CountKey): string {
  return JSON.stringify(COUNT_KEY_COLUMNS.map((c) => k[c]));
}

export function countKeyOf(s: string): CountKey {
  const [kind, province_code, commune_code, product_set_code, status, star, year] = JSON.parse(s) as [
    CountKey['kind'],
    string,
    string,
    string,
    string,
    number,
    number,
  ];
  return { kind, province_code, commune_code, product_set_code, status, star, year };
}
