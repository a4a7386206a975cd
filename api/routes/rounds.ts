import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { openRoundData, roundIdOf, type RoundCommand } from '../../domain';
import { dossiersOfRound } from '../../read-models/cases/queries';
import { findVisibleRound, listRounds, roundSchema, type RoundView } from '../../read-models/rounds/queries';
import type { AppDeps } from '../app';
import { principalOf, requireCaller, type Principal } from '../auth';
import { fingerprintOf, Idempotency } from '../idempotency';
import { commonProblems, HttpProblem, queryProblems } from '../problems';
import { executeRoundCommand } from '../rounds';
import { commandHeaders, strictDeep } from '../schemas';

export { roundSchema };
/** Strict at every level, as the commands' bodies are: an unknown field is a 400, never dropped. */
export const openBody = strictDeep(openRoundData) as typeof openRoundData;
export const roundDetailSchema = roundSchema.extend({
  /** Dossiers of this province assigned to this round, from the cases read model. */
  dossiers: z.array(z.object({ productId: z.string(), productName: z.string().nullable(), stage: z.string() })),
});
const roundParams = z.strictObject({ roundId: z.string().regex(/^round:[\w-]{1,64}:\d{4}:[12]$/) });

const roundNotFound = (roundId: string) =>
  new HttpProblem(404, 'Not Found', { detail: `Không có đợt đánh giá ${roundId}. / No round ${roundId}.` });

/** Provincial evaluation rounds (đợt đánh giá): open with a council, close, list, and the dossiers in one. */
export const roundRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);
    // One opening or closing per (caller, Idempotency-Key), as for the commands on a case (api/idempotency.ts).
    const idempotency = new Idempotency(deps.sql);

    async function visibleRound(user: Principal, roundId: string): Promise<RoundView> {
      const round = await findVisibleRound(deps.sql, user, roundId);
      if (!round) throw roundNotFound(roundId);
      return round;
    }

    /** Runs a command on a round once per (caller, Idempotency-Key); a refusal by the decider is the key's answer. */
    function once(user: Principal, key: string, route: string, roundId: string, command: RoundCommand, body: unknown) {
      // Who may, before the key is even looked at (as for a case's commands); the decider says it again.
      if (user.role !== 'provincial_office') {
        throw new HttpProblem(403, 'Forbidden', {
          code: 'forbidden',
          detail:
            'Chỉ cơ quan đầu mối OCOP cấp tỉnh mở và kết thúc đợt đánh giá. / Only a provincial OCOP office opens ' +
            'and closes rounds.',
        });
      }
      return idempotency.once<RoundView>({
        user,
        key,
        fingerprint: fingerprintOf(route, roundId, body),
        target: roundId,
        admit: async () => undefined,
        checkReplay: async (id) => void (await visibleRound(user, id)),
        run: async () => ({
          status: route.endsWith('/close') ? 200 : 201,
          body: await executeRoundCommand(deps.sql, { user, key, roundId, command }),
        }),
        definitive: (problem) => problem.extra.code !== undefined,
      });
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
        // The round is the office's province's (a caller of any other role is refused by the decider, 403).
        const roundId = roundIdOf(user.jurisdiction, req.body.year, req.body.round);
        const command: RoundCommand = { type: 'OpenRound', data: req.body };
        const answer = await once(user, req.headers['idempotency-key'], 'POST /rounds', roundId, command, req.body);
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
        const command: RoundCommand = { type: 'CloseRound', data: {} };
        const route = 'POST /rounds/:roundId/close';
        const answer = await once(user, req.headers['idempotency-key'], route, round.roundId, command, {});
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
        return { items: await listRounds(deps.sql, user, { provinceCode: req.query.province, year: req.query.year }) };
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
