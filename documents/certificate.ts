import { createHash } from 'node:crypto';
import type { Sql } from '../db';
import { communeOf, provinceOf } from '../domain/places';
import { canonicalJson } from '../db/canonical';
import { and, scopeCondition, type Viewer } from '../read-models/scope';
import { signDocumentToken, type DocumentKeys } from './token';

/** What a certificate document prints: public facts only, no person. */
export interface CertificateContent {
  certificateNumber: string;
  productId: string;
  productName: string;
  productSetCode: string;
  subjectName: string;
  star: number;
  issuedOn: string;
  expiresOn: string;
  communeCode: string;
  communeName: string;
  provinceCode: string;
  provinceName: string;
}

export const placeName = (kind: 'commune' | 'province', code: string): string => {
  try {
    return kind === 'commune' ? communeOf(code).name : provinceOf(code).name;
  } catch {
    return code;
  }
};

interface Row {
  certificate_number: string;
  product_id: string;
  product_name: string;
  product_set_code: string;
  subject_name: string;
  star: number;
  issued_on: string;
  expires_on: string;
  commune_code: string;
  province_code: string;
}

const content = (r: Row): CertificateContent => ({
  certificateNumber: r.certificate_number,
  productId: r.product_id,
  productName: r.product_name,
  productSetCode: r.product_set_code,
  subjectName: r.subject_name,
  star: r.star,
  issuedOn: r.issued_on,
  expiresOn: r.expires_on,
  communeCode: r.commune_code,
  communeName: placeName('commune', r.commune_code),
  provinceCode: r.province_code,
  provinceName: placeName('province', r.province_code),
});

/** The newest certificate with this number among the cases the viewer may see, or null. */
export async function certificateFor(sql: Sql, user: Viewer, number: string): Promise<CertificateContent | null> {
  const [row] = await sql<Row[]>`
    SELECT c.certificate_number, c.product_id, k.product_name, k.product_set_code, k.subject_name, c.star,
           c.issued_on::text AS issued_on, c.expires_on::text AS expires_on, k.commune_code, k.province_code
    FROM certificates c JOIN cases k ON k.product_id = c.product_id
    WHERE ${and(sql, [scopeCondition(sql, user), sql`c.certificate_number = ${number}`])}
    ORDER BY c.issued_on DESC LIMIT 1`;
  return row ? content(row) : null;
}

/** SHA-256 of the document's content, in canonical JSON: what the token's `h` claim signs. */
export const contentHash = (c: CertificateContent): string =>
  createHash('sha256').update(canonicalJson(c)).digest('hex');

export interface IssuedDocument {
  token: string;
  verifyUrl: string;
  hash: string;
  kid: string;
}

/** Signs the certificate's token and records the document in `documents`. */
export async function issueCertificateDocument(
  sql: Sql,
  keys: DocumentKeys,
  publicUrl: string,
  c: CertificateContent,
  issuedBy: string,
): Promise<IssuedDocument> {
  const hash = contentHash(c);
  const token = signDocumentToken(keys, {
    n: c.certificateNumber,
    p: c.productId,
    s: c.star,
    i: c.issuedOn,
    e: c.expiresOn,
    h: hash,
  });
  await sql`INSERT INTO documents (kind, number, product_id, hash, kid, issued_by)
    VALUES ('certificate', ${c.certificateNumber}, ${c.productId}, ${hash}, ${keys.kid}, ${issuedBy})`;
  return { token, verifyUrl: `${publicUrl.replace(/\/$/, '')}/verify/${token}`, hash, kid: keys.kid };
}
