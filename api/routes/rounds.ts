import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { closeRound, getRound, listRounds, openRound, RoundStateError, roundIdOf, type Round } from '../../db/rounds';
import { localDate, ruleSetInForce } from '../../domain';
import { dossiersOfRound } from '../../read-models/cases/queries';
import type { AppDeps } from '../app';
import { actorOf, principalOf, requireCaller, type Principal } from '../auth';
import { idempotentId } from '../commands';
import { fingerprintOf, Idempotency } from '../idempotency';
import { commonProblems, HttpProblem, queryProblems } from '../problems';
import { commandHeaders } from '../schemas';

const seat = z.strictObject({
  memberId: z.string().trim().min(1).max(64),
  role: z.enum(['chair', 'member', 'secretary']),
});
export const openBody = z.strictObject({
  year: z.number().int().min(2019).max(2050),
  round: z.union([z.literal(1), z.literal(2)]),
  /** The provincial council (Hội đồng đánh giá, phân hạng) of this round. */
  /** Exactly one chair, each member once: checked by the route (422), as ConveneCouncil's rules are. */
  council: z.array(seat).min(1).max(50),
});

/** What is wrong with a council beyond its shape (rules across its seats, which no schema states), or null. */
function councilRuleBroken(council: z.infer<typeof seat>[]): string | null {
  if (council.filter((s) => s.role === 'chair').length !== 1) return 'a council has exactly one chair';
  if (new Set(council.map((s) => s.memberId)).size !== council.length) return 'a member is listed twice';
  return null;
}
export const roundSchema = z.object({
  roundId: z.string(),
  provinceCode: z.string(),
  year: z.number().int(),
  round: z.number().int(),
  cutOff: z.string(),
  decideBy: z.string(),
  status: z.enum(['open', 'closed']),
  council: z.array(z.object({ memberId: z.string(), role: z.string() })),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  version: z.number().int(),
});
export const roundDetailSchema = roundSchema.extend({
  /** Dossiers of this province assigned to this round, from the cases read model. */
  dossiers: z.array(z.object({ productId: z.string(), productName: z.string().nullable(), stage: z.string() })),
});
const roundParams = z.strictObject({ roundId: z.string().regex(/^round:[\w-]{1,64}:\d{4}:[12]$/) });

/** Who sees a round: its province's officials, council and auditors; the Ministry and admins everywhere. */
function seesProvince(user: Principal, provinceCode: string): boolean {
  if (user.role === 'ministry' || user.role === 'admin') return true;
  if (user.role === 'auditor' && user.jurisdiction === 'VN') return true;
  return ['provincial_office', 'council_member', 'auditor'].includes(user.role) && user.jurisdiction === provinceCode;
}

/** Provincial evaluation rounds (đợt đánh giá): open with a council, close, list, and the dossiers in one. */
export const roundRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);
    // One opening or closing per (caller, Idempotency-Key), as for the commands on a case (api/idempotency.ts).
    const idempotency = new Idempotency(deps.sql);

    async function visibleRound(user: Principal, roundId: string): Promise<Round> {
      const round = await getRound(deps.sql, roundId);
      if (!round || !seesProvince(user, round.provinceCode)) {
        throw new HttpProblem(404, 'Not Found', { detail: `no round ${roundId}` });
      }
      return round;
    }

    app.post(
      '/rounds',
      {
        schema: {
          summary: 'Open a provincial evaluation round (mở đợt đánh giá) with its council',
          description:
            'By the provincial OCOP office, for its province. Cut-off and decision dates follow the round calendar ' +
            'of the rule-set in force (QĐ 26/2026: forwarded before 30/04 → decided before 30/06; before 30/10 → 30/12).',
          tags: ['rounds'],
          security: [{ bearer: [] }],
          headers: commandHeaders,
          body: openBody,
          response: { 201: roundSchema, ...commonProblems },
        },
      },
      async (req, reply) => {
        const user = principalOf(req);
        if (user.role !== 'provincial_office') {
          throw new HttpProblem(403, 'Forbidden', {
            code: 'forbidden',
            detail: 'only a provincial OCOP office opens rounds',
          });
        }
        const broken = councilRuleBroken(req.body.council);
        if (broken) {
          throw new HttpProblem(422, 'Unprocessable Content', {
            detail: `body.council: ${broken}`,
            errors: [{ field: 'body.council', message: broken }],
          });
        }
        const now = new Date().toISOString();
        const ruleSet = ruleSetInForce(localDate(now));
        const slot = ruleSet.rounds?.provincial.find((r) => r.round === req.body.round);
        if (!slot) {
          throw new HttpProblem(422, 'Unprocessable', { detail: `${ruleSet.title} fixes no round ${req.body.round}` });
        }
        const provinceCode = user.jurisdiction;
        const roundId = roundIdOf(provinceCode, req.body.year, req.body.round);
        const answer = await idempotency.once<Round>({
          user,
          key: req.headers['idempotency-key'],
          fingerprint: fingerprintOf('POST /rounds', roundId, req.body),
          target: roundId,
          admit: async () => undefined,
          checkReplay: async (id) => void (await visibleRound(user, id)),
          run: async () => {
            try {
              const round = await openRound(deps.sql, {
                commandId: idempotentId('R', user.sub, req.headers['idempotency-key']),
                actor: actorOf(user),
                now,
                provinceCode,
                year: req.body.year,
                round: req.body.round,
                cutOff: `${req.body.year}-${slot.cutOff}`,
                decideBy: `${req.body.year}-${slot.decideBy}`,
                council: req.body.council,
                ruleSetId: ruleSet.id,
              });
              return { status: 201, body: round };
            } catch (err) {
              if (err instanceof RoundStateError) throw new HttpProblem(409, 'Conflict', { detail: err.message });
              throw err;
            }
          },
          definitive: (problem) => problem.status === 409,
        });
        return reply
          .code(201)
          .header('location', `/rounds/${encodeURIComponent(answer.body.roundId)}`)
          .header('idempotent-replayed', String(answer.replayed))
          .send(answer.body);
      },
    );

    app.post(
      '/rounds/:roundId/close',
      {
        schema: {
          summary: 'Close a provincial evaluation round (kết thúc đợt đánh giá)',
          tags: ['rounds'],
          security: [{ bearer: [] }],
          headers: commandHeaders,
          params: roundParams,
          response: { 200: roundSchema, ...commonProblems },
        },
      },
      async (req, reply) => {
        const user = principalOf(req);
        const round = await visibleRound(user, req.params.roundId);
        if (user.role !== 'provincial_office') {
          throw new HttpProblem(403, 'Forbidden', {
            code: 'forbidden',
            detail: 'only the provincial OCOP office closes rounds',
          });
        }
        const answer = await idempotency.once<Round>({
          user,
          key: req.headers['idempotency-key'],
          fingerprint: fingerprintOf('POST /rounds/:roundId/close', round.roundId, {}),
          target: round.roundId,
          admit: async () => undefined,
          checkReplay: async (id) => void (await visibleRound(user, id)),
          run: async () => {
            try {
              const closed = await closeRound(deps.sql, {
                commandId: idempotentId('R', user.sub, req.headers['idempotency-key']),
                actor: actorOf(user),
                now: new Date().toISOString(),
                roundId: round.roundId,
                ruleSetId: ruleSetInForce(localDate(new Date().toISOString())).id,
              });
              return { status: 200, body: closed };
            } catch (err) {
              if (err instanceof RoundStateError) throw new HttpProblem(409, 'Conflict', { detail: err.message });
              throw err;
            }
          },
          definitive: (problem) => problem.status === 409,
        });
        return reply.header('idempotent-replayed', String(answer.replayed)).send(answer.body);
      },
    );

    app.get(
      '/rounds',
      {
        schema: {
          summary: 'Evaluation rounds of the provinces the caller may see',
          tags: ['rounds'],
          security: [{ bearer: [] }],
          querystring: z.strictObject({
            province: z.string().max(64).optional(),
            year: z.coerce.number().int().min(2019).max(2050).optional(),
          }),
          response: { 200: z.object({ items: z.array(roundSchema) }), ...queryProblems },
        },
      },
      async (req) => {
        const user = principalOf(req);
        const nationwide = user.role === 'ministry' || user.role === 'admin' || user.jurisdiction === 'VN';
        const provinceCode = nationwide ? req.query.province : user.jurisdiction;
        const rounds = await listRounds(deps.sql, {
          ...(provinceCode ? { provinceCode } : {}),
          ...(req.query.year ? { year: req.query.year } : {}),
        });
        return { items: rounds.filter((r) => seesProvince(user, r.provinceCode)) };
      },
    );

    app.get(
      '/rounds/:roundId',
      {
        schema: {
          summary: 'A round, its council and the dossiers assigned to it',
          tags: ['rounds'],
          security: [{ bearer: [] }],
          params: roundParams,
          response: { 200: roundDetailSchema, ...queryProblems },
        },
      },
      async (req) => {
        const round = await visibleRound(principalOf(req), req.params.roundId);
        return { ...round, dossiers: await dossiersOfRound(deps.sql, round) };
      },
    );
  };

export { roundIdOf };
