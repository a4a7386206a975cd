import type { Sql } from '../db';
import { placeName } from './certificate';
import type { DocumentClaims } from './token';

/** What the public page shows of a certificate: nothing personal (no person, phone, e-mail, address or id). */
export interface PublicCertificate {
  certificateNumber: string;
  productName: string;
  /** The subject's public (trading) name. */
  subjectName: string;
  star: number;
  issuedOn: string;
  expiresOn: string;
  status: 'valid' | 'expired' | 'revoked' | 'replaced';
  endedOn: string | null;
  revocationGround: string | null;
  communeName: string;
  provinceName: string;
}

/** The certificate a verified token names, with its status as the records hold it today (Vietnam's date). */
export async function publicCertificate(
  sql: Sql,
  claims: DocumentClaims,
  today: string,
): Promise<PublicCertificate | null> {
  const [r] = await sql<
    {
      certificate_number: string;
      product_name: string;
      subject_name: string;
      star: number;
      issued_on: string;
      expires_on: string;
      until: string;
      status: PublicCertificate['status'];
      ended_on: string | null;
      ground: string | null;
      commune_code: string;
      province_code: string;
    }[]
  >`
    SELECT c.certificate_number, k.product_name, k.subject_name, c.star, c.issued_on::text AS issued_on,
           c.expires_on::text AS expires_on, coalesce(c.extended_until, c.expires_on)::text AS until, c.status,
           c.ended_on::text AS ended_on, k.commune_code, k.province_code,
           (SELECT e.data->>'ground' FROM events e
             WHERE e.stream_id = c.product_id AND e.type = 'CertificateRevoked'
               AND e.data->>'certificateNumber' = c.certificate_number
             ORDER BY e.stream_position DESC LIMIT 1) AS ground
    FROM certificates c JOIN cases k ON k.product_id = c.product_id
    WHERE c.product_id = ${claims.p} AND c.certificate_number = ${claims.n}
    ORDER BY c.term_no DESC LIMIT 1`;
  if (!r) return null;
  // The expiry timer may not have fired yet: past its last day a certificate is no longer in force.
  const status = r.status === 'valid' && r.until < today ? 'expired' : r.status;
  return {
    certificateNumber: r.certificate_number,
    productName: r.product_name,
    subjectName: r.subject_name,
    star: r.star,
    issuedOn: r.issued_on,
    expiresOn: r.until,
    status,
    endedOn: status === 'expired' && r.ended_on === null ? r.until : r.ended_on,
    revocationGround: r.ground,
    communeName: placeName('commune', r.commune_code),
    provinceName: placeName('province', r.province_code),
  };
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** dd/MM/yyyy, as Vietnamese documents print dates. */
export const vnDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

const STATUS = {
  valid: ['Còn hiệu lực', 'In force'],
  expired: ['Đã hết hiệu lực', 'Expired'],
  revoked: ['Đã bị thu hồi', 'Revoked'],
  replaced: ['Đã được thay thế bằng giấy chứng nhận mới', 'Replaced by a newer certificate'],
} as const;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
.ok{color:#05603a}.bad{color:#b42318}dt{font-weight:600}dd{margin:0 0 .5rem}</style></head>
<body>${body}</body></html>`;
}

/** The page for a token that is not genuine: forged, altered, or naming no certificate on record. */
export function notGenuinePage(): string {
  return page(
    'Không xác thực / Not genuine',
    `<h1 class="bad" id="verdict" data-verdict="not-genuine">Giấy chứng nhận KHÔNG xác thực / This certificate is NOT genuine</h1>
<p>Mã QR này không do hệ thống OCOP ký, đã bị sửa đổi, hoặc không ứng với giấy chứng nhận nào trong hồ sơ.</p>
<p lang="en">This QR code was not signed by the OCOP system, has been altered, or names no certificate on record.</p>`,
  );
}

/** The page for a genuine certificate, with its status today. */
export function certificatePage(c: PublicCertificate): string {
  const [vi, en] = STATUS[c.status];
  const g = c.revocationGround === 'dd' ? 'đ' : c.revocationGround;
  const row = (vi: string, en: string, value: string) =>
    `<dt>${vi} / <span lang="en">${en}</span></dt><dd>${escape(value)}</dd>`;
  return page(
    `${vi} / ${en} — ${c.certificateNumber}`,
    `<h1 class="${c.status === 'valid' ? 'ok' : 'bad'}" id="verdict" data-verdict="genuine" data-status="${c.status}">Giấy chứng nhận OCOP xác thực — ${vi} / Genuine OCOP certificate — ${en}</h1>
<dl>
${row('Số giấy chứng nhận', 'Certificate number', c.certificateNumber)}
${row('Sản phẩm', 'Product', c.productName)}
${row('Chủ thể', 'Producer', c.subjectName)}
${row('Hạng', 'Rating', `${c.star} sao / ${c.star} stars`)}
${row('Xã, phường', 'Commune', c.communeName)}
${row('Tỉnh, thành phố', 'Province', c.provinceName)}
${row('Ngày cấp', 'Issued', vnDate(c.issuedOn))}
${row('Có hiệu lực đến', 'Valid until', vnDate(c.expiresOn))}
${c.endedOn ? row('Ngày chấm dứt hiệu lực', 'Ended on', vnDate(c.endedOn)) : ''}
${c.status === 'revoked' ? row('Căn cứ thu hồi', 'Ground of revocation', `điểm ${g} khoản 3 Điều 8 / point ${g} of art. 8.3`) : ''}
</dl>`,
  );
}
