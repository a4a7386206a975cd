import type { DomainEvent } from '../../domain';

/** What became of a certificate: in force until an event ends it. */
export const CERTIFICATE_STATUSES = ['valid', 'expired', 'revoked', 'replaced'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/** One row of the `certificates` read model: a certificate the case has held, keyed by its term. */
export interface CertificateRow {
  product_id: string;
  term_no: number;
  certificate_number: string;
  star: number;
  level: string;
  rule_set_id: string;
  issued_on: string;
  expires_on: string;
  extended_until: string | null;
  status: CertificateStatus;
  ended_on: string | null;
  replaced_by: string | null;
  imported: boolean;
  updated_at: string;
}

/** Folds one event into a case's certificate rows; events that concern no certificate return the rows as they are. */
export function evolveCertificates(
  rows: readonly CertificateRow[],
  productId: string,
  event: DomainEvent,
  occurredAt: string,
): readonly CertificateRow[] {
  const end = (number: string, patch: Partial<CertificateRow>) =>
    rows.map((r) =>
      r.status === 'valid' && r.certificate_number === number ? { ...r, ...patch, updated_at: occurredAt } : r,
    );
  switch (event.type) {
    case 'CertificateIssued':
    case 'CertifiedProductImported': {
      const imported = event.type === 'CertifiedProductImported';
      const c = event.type === 'CertificateIssued' ? event.data : event.data.certificate;
      // A case holds one valid certificate: a new one replaces whichever is still valid.
      const kept = rows
        .filter((r) => r.term_no !== c.termNo)
        .map((r) =>
          r.status === 'valid'
            ? {
                ...r,
                status: 'replaced' as const,
                ended_on: c.issuedOn,
                replaced_by: c.certificateNumber,
                updated_at: occurredAt,
              }
            : r,
        );
      return [
        ...kept,
        {
          product_id: productId,
          term_no: c.termNo,
          certificate_number: c.certificateNumber,
          star: c.star,
          level: c.level,
          rule_set_id: c.ruleSetId,
          issued_on: c.issuedOn,
          expires_on: c.expiresOn,
          extended_until: null,
          status: 'valid',
          ended_on: null,
          replaced_by: null,
          imported,
          updated_at: occurredAt,
        },
      ];
    }
    case 'CertificateExtended':
      return end(event.data.certificateNumber, { extended_until: event.data.extendedUntil });
    case 'CertificateExpired':
      return end(event.data.certificateNumber, { status: 'expired', ended_on: event.data.endedOn });
    case 'CertificateRevoked':
      return end(event.data.certificateNumber, { status: 'revoked', ended_on: event.data.revokedOn });
    default:
      return rows;
  }
}

/** A `certificates` row as PostgreSQL gives it back. */
export interface StoredCertificateRow extends Omit<CertificateRow, 'updated_at'> {
  updated_at: Date;
}

export function fromStoredCertificate(row: StoredCertificateRow): CertificateRow {
  return { ...row, updated_at: row.updated_at.toISOString() };
}
