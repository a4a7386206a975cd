import type { buildApp } from '../../api/app';
import { signToken } from '../../api/auth';
import { ruleSetInForce } from '../../domain/rules';

/** A certified product imported through `POST /products/import` as a nationwide admin, its certificate 36 months long. */
export interface CertifiedImport {
  productId: string;
  province: string;
  commune: string;
  star: 3 | 4 | 5;
  issuedOn: string;
  subjectName?: string;
  productName?: string;
}

export async function importCertified(
  app: Pick<Awaited<ReturnType<typeof buildApp>>, 'inject'>,
  secret: string,
  key: string,
  c: CertifiedImport,
): Promise<{ statusCode: number; body: string }> {
  const token = await signToken(secret, { sub: 'import-admin', role: 'admin', jurisdiction: 'VN' });
  return app.inject({
    method: 'POST',
    url: '/products/import',
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': key },
    payload: {
      productId: c.productId,
      subjectId: `HTX-${c.productId}`,
      subjectName: c.subjectName ?? 'HTX Hoàng Bình',
      productName: c.productName ?? 'Chè Tân Cương',
      productSetCode: 'tea',
      provinceCode: c.province,
      communeCode: c.commune,
      ruleSetId: ruleSetInForce(c.issuedOn).id,
      certificate: {
        number: `GCN-${c.productId}`,
        star: c.star,
        level: c.star === 5 ? 'ministry' : 'province',
        issuedOn: c.issuedOn,
        expiresOn: `${Number(c.issuedOn.slice(0, 4)) + 3}${c.issuedOn.slice(4)}`,
      },
    },
  });
}
