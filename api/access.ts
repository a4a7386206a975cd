import type { Sql } from '../db';
import { findVisibleCase } from '../read-models/cases/queries';
import type { CaseDetail } from '../read-models/cases/view';
import type { Principal } from './auth';
import { HttpProblem } from './problems';

/** The 404 of a case the caller may not see, or that is not there: the two are answered alike. */
export function caseNotFound(productId: string): HttpProblem {
  return new HttpProblem(404, 'Not Found', {
    detail: `Không có sản phẩm ${productId}. — No product ${productId}.`,
  });
}

/**
 * A case the caller may see, or 404: a case outside their jurisdiction is answered as one that does not exist, so
 * that its existence does not leak (read-models/scope.ts states who sees what).
 */
export async function visibleCase(sql: Sql, user: Principal, productId: string): Promise<CaseDetail> {
  const found = await findVisibleCase(sql, user, productId);
  if (!found) throw caseNotFound(productId);
  return found;
}
