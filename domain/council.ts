import { z } from 'zod';
import { shared } from './shared';

/*
 * A council (Hội đồng đánh giá, phân hạng) as its seats: declared once, for the council a province opens a round with
 * and the council convened for one dossier.
 */
export const COUNCIL_ROLES = ['chair', 'member', 'secretary'] as const;
export type CouncilRole = (typeof COUNCIL_ROLES)[number];

export interface CouncilSeat {
  memberId: string;
  role: CouncilRole;
}

export const councilSeatSchema = shared('domain/council', () =>
  z.object({ memberId: z.string().trim().min(1).max(64), role: z.enum(COUNCIL_ROLES) }),
);

/** The seats of a council, at most 50. */
export const councilSchema = shared('domain/council/seats', () => z.array(councilSeatSchema).min(1).max(50));

/** What is wrong with a council beyond its shape (the rules across its seats), in Vietnamese and English; or null. */
export function councilIssue(seats: readonly CouncilSeat[]): { vi: string; en: string } | null {
  if (new Set(seats.map((s) => s.memberId)).size !== seats.length) {
    return { vi: 'Một thành viên được liệt kê hai lần.', en: 'A member is listed twice.' };
  }
  if (seats.filter((s) => s.role === 'chair').length !== 1) {
    return { vi: 'Hội đồng có đúng một Chủ tịch.', en: 'A council has exactly one chair.' };
  }
  return null;
}
