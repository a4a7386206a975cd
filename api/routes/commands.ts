import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { commandSchema, submitDossierData, type Command, type CommandType, type SystemCommandType } from '../../domain';
import type { AppDeps } from '../app';
import { principalOf, requireCaller } from '../auth';
import { etagOf, type CommandService } from '../commands';
import { commonProblems } from '../problems';
import { commandAnswerSchema, commandHeaders, productParams, strictDeep } from '../schemas';

/** Commands that open a case, each on its own route (api/routes/products.ts). */
export const START_ROUTES = {
  RegisterIdea: '/products',
  ImportCertifiedProduct: '/products/import',
  ImportDossierInProgress: '/products/import-dossier',
} as const satisfies Partial<Record<CommandType, string>>;
export type StartCommandType = keyof typeof START_ROUTES;

/** Commands a user sends to an existing case. */
export type CaseCommandType = Exclude<CommandType, SystemCommandType | StartCommandType>;

interface CommandDoc {
  summary: string;
  /** Who may send it; the decider enforces it. */
  who: string;
  tag: 'idea and plan' | 'dossier' | 'evaluation' | 'certificate' | 'administration';
}

/** One route per lifecycle step, each with its Vietnamese term; the body is the command's data. */
export const COMMAND_DOCS: { readonly [K in CaseCommandType]: CommandDoc } = {
  AcceptIdea: {
    summary: 'Accept the product idea (chấp thuận ý tưởng sản phẩm)',
    who: 'commune officer',
    tag: 'idea and plan',
  },
  ReturnIdea: {
    summary: 'Return the idea with a reason (trả lại ý tưởng)',
    who: 'commune officer',
    tag: 'idea and plan',
  },
  ReviseIdea: { summary: 'Revise a returned idea (chỉnh sửa ý tưởng)', who: 'subject', tag: 'idea and plan' },
  SubmitBusinessPlan: {
    summary: 'Submit the business plan (nộp phương án, dự án sản xuất kinh doanh)',
    who: 'subject',
    tag: 'idea and plan',
  },
  ApproveBusinessPlan: {
    summary: 'Approve the business plan (phê duyệt phương án sản xuất kinh doanh)',
    who: 'commune officer',
    tag: 'idea and plan',
  },
  ReturnBusinessPlan: {
    summary: 'Return the business plan with a reason (trả lại phương án)',
    who: 'commune officer',
    tag: 'idea and plan',
  },
  SubmitDossier: {
    summary:
      'Submit the product dossier, Forms 01 and 02 (nộp hồ sơ sản phẩm): first evaluation, upgrade (nâng hạng) or re-rating (đánh giá lại)',
    who: 'subject',
    tag: 'dossier',
  },
  ReturnDossierForCompletion: {
    summary: 'Return an incomplete dossier for completion (trả hồ sơ để hoàn thiện), with a date',
    who: 'commune officer while at the commune, provincial office after',
    tag: 'dossier',
  },
  CompleteDossier: {
    summary: 'Complete a returned dossier (bổ sung, hoàn thiện hồ sơ)',
    who: 'subject',
    tag: 'dossier',
  },
  AssessDossierAtCommune: {
    summary: 'Record the commune’s assessment, Form 03 (Mẫu số 03: đánh giá tiêu chí địa phương)',
    who: 'commune officer',
    tag: 'dossier',
  },
  ForwardDossierToProvince: {
    summary: 'Forward the dossier and samples to the province (văn bản đề nghị UBND cấp tỉnh)',
    who: 'commune officer',
    tag: 'dossier',
  },
  AssignToProvincialRound: {
    summary:
      'Assign the dossier to an open provincial round (đưa vào đợt đánh giá cấp tỉnh): by default the one its ' +
      'forwarding date falls in; 409 while the province has not opened it, once it is closed, or past its cut-off',
    who: 'provincial office',
    tag: 'evaluation',
  },
  RequestMoreEvidence: {
    summary: 'Advisory request for more evidence (Tổ tư vấn đề xuất bổ sung hồ sơ)',
    who: 'provincial office',
    tag: 'evaluation',
  },
  SubmitEvidence: {
    summary: 'Submit the requested evidence (nộp tài liệu bổ sung)',
    who: 'subject',
    tag: 'evaluation',
  },
  RecordSiteVisit: {
    summary: 'Record a site visit (khảo sát thực tế tại cơ sở)',
    who: 'provincial office; the Ministry while the dossier is there',
    tag: 'evaluation',
  },
  RecordLabTest: {
    summary: 'Record an extra lab test (kiểm nghiệm bổ sung)',
    who: 'provincial office; the Ministry while the dossier is there',
    tag: 'evaluation',
  },
  RecordCouncilResult: {
    summary: 'Record the provincial council’s scores (kết quả chấm điểm của Hội đồng cấp tỉnh)',
    who: 'provincial office',
    tag: 'evaluation',
  },
  ConveneCouncil: {
    summary:
      'Convene the provincial council that scores this dossier online (thành lập Hội đồng đánh giá); without ' +
      'members, the council its round was opened with',
    who: 'provincial office',
    tag: 'evaluation',
  },
  SubmitCouncilScores: {
    summary: 'A council member submits a score sheet (thành viên Hội đồng chấm điểm)',
    who: 'council member sitting on this dossier’s council (not the secretary)',
    tag: 'evaluation',
  },
  CloseCouncil: {
    summary: 'The chair closes scoring with a quorum (Chủ tịch Hội đồng kết thúc chấm điểm)',
    who: 'the chair of this dossier’s council',
    tag: 'evaluation',
  },
  SendToMinistry: {
    summary: 'Send a potential 5★ dossier to the Ministry (gửi hồ sơ tiềm năng 5 sao lên Bộ)',
    who: 'provincial office',
    tag: 'evaluation',
  },
  RecordCentralCouncilResult: {
    summary: 'Record the central council’s scores (kết quả chấm điểm của Hội đồng Trung ương)',
    who: 'ministry',
    tag: 'evaluation',
  },
  DecideRecognition: {
    summary: 'Decide the recognition (quyết định công nhận sản phẩm OCOP)',
    who: 'provincial office for 3★ and 4★, the Ministry for 5★',
    tag: 'certificate',
  },
  IssueCertificate: {
    summary: 'Issue the certificate (cấp giấy chứng nhận sản phẩm OCOP)',
    who: 'whoever decided the recognition',
    tag: 'certificate',
  },
  ProposeRevocation: {
    summary: 'Open a revocation on a competent conclusion (đề nghị thu hồi giấy chứng nhận)',
    who: 'provincial office for 3★ and 4★, the Ministry for 5★',
    tag: 'certificate',
  },
  RevokeCertificate: {
    summary:
      'Revoke the certificate (thu hồi giấy chứng nhận) on the pending proposal, its ground and conclusion (art. 8.3)',
    who: 'provincial office for 3★ and 4★, the Ministry for 5★',
    tag: 'certificate',
  },
  DismissRevocation: {
    summary: 'Dismiss a pending revocation (không thu hồi)',
    who: 'provincial office for 3★ and 4★, the Ministry for 5★',
    tag: 'certificate',
  },
  WithdrawDossier: {
    summary: 'Withdraw the current application (rút hồ sơ); a held certificate is kept',
    who: 'subject',
    tag: 'dossier',
  },
  UpdatePlaces: {
    summary:
      'Move the case to its places after the 2025 merger of provinces and communes (cập nhật địa bàn): a successor of its old places, or elsewhere with `override: { reason }`',
    who: 'admin, or the provincial office of the old province, of its successor or of the new province',
    tag: 'administration',
  },
};

/** `SubmitDossier` → `submit-dossier`. */
export function kebabOf(type: string): string {
  return type.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export const commandPath = (type: CaseCommandType): string => `/products/:productId/${kebabOf(type)}`;

const TYPE_OF_PATH: ReadonlyMap<string, CaseCommandType> = new Map(
  (Object.keys(COMMAND_DOCS) as CaseCommandType[]).map((t) => [commandPath(t), t]),
);

/** The command a route URL sends, if it is a command route. */
export const commandTypeOf = (url: string): CaseCommandType | undefined => TYPE_OF_PATH.get(url);

/** Every user command on a case, generated from the domain's command schemas. */
export const CASE_COMMANDS: readonly { type: CaseCommandType; data: z.ZodType }[] = commandSchema.options
  .map((o) => ({ type: o.shape.type.value, data: o.shape.data as z.ZodType }))
  .filter((o): o is { type: CaseCommandType; data: z.ZodType } => o.type in COMMAND_DOCS);

export const aliasBody = submitDossierData.omit({ kind: true }).strict();

/** Lifecycle steps that are a dossier of a given kind: their own routes, so each step of the cycle has one. */
export const DOSSIER_ALIASES = [
  {
    path: '/products/:productId/upgrade',
    kind: 'upgrade',
    operationId: 'applyForUpgrade',
    summary: 'Apply for a higher star (đăng ký nâng hạng): a dossier of kind upgrade',
  },
  {
    path: '/products/:productId/request-re-rating',
    kind: 're_rating',
    operationId: 'requestReRating',
    summary:
      'Request re-rating (đề nghị đánh giá lại) from T−180 to T−120 before expiry (art. 7.6a; until expiry where ' +
      'art. 12.3 covers the certificate): a dossier of kind re-rating',
  },
] as const;

export const commandRoutes =
  (_deps: AppDeps, commands: CommandService): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);

    function commandRoute(o: {
      path: string;
      type: CaseCommandType;
      operationId: string;
      summary: string;
      tag: string;
      body: z.ZodType;
      data: (body: unknown) => unknown;
    }) {
      const doc = COMMAND_DOCS[o.type];
      app.post(
        o.path,
        {
          schema: {
            summary: o.summary,
            description:
              `Sends ${o.type} to the case's workflow and answers with the case after it and the events recorded. ` +
              `Who: ${doc.who}. A case the caller cannot see answers 404; a step the stage does not allow, 409 ` +
              `with the stage; a role or jurisdiction the rules do not allow, 403.`,
            operationId: o.operationId,
            tags: [o.tag],
            security: [{ bearer: [] }],
            params: productParams,
            headers: commandHeaders,
            body: o.body,
            response: { 200: commandAnswerSchema, ...commonProblems },
          },
        },
        async (req, reply) => {
          const user = principalOf(req);
          const { productId } = req.params;
          req.log = req.log.child({ productId, command: o.type });
          const answer = await commands.execute({
            user,
            key: req.headers['idempotency-key'],
            route: `POST ${o.path}`,
            productId,
            body: req.body,
            command: { type: o.type, data: o.data(req.body) } as Command,
            ifMatch: req.headers['if-match'],
          });
          return reply
            .code(200)
            .header('etag', etagOf(answer.body.case.version))
            .header('idempotent-replayed', String(answer.replayed))
            .send(answer.body);
        },
      );
    }

    for (const { type, data } of CASE_COMMANDS) {
      const doc = COMMAND_DOCS[type];
      commandRoute({
        path: commandPath(type),
        type,
        operationId: type.charAt(0).toLowerCase() + type.slice(1),
        summary: doc.summary,
        tag: doc.tag,
        body: strictDeep(data),
        data: (body) => body,
      });
    }
    for (const alias of DOSSIER_ALIASES) {
      commandRoute({
        ...alias,
        type: 'SubmitDossier',
        tag: 'dossier',
        body: aliasBody,
        data: (body) => ({ ...(body as object), kind: alias.kind }),
      });
    }
  };
