import type { FastifySchemaCompiler } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { principalOf, requireCaller, type Principal } from '../auth';
import type { CommandService } from '../commands';
import { HttpProblem, queryProblems } from '../problems';
import { guardedValidatorCompiler } from '../validation';
import { UnreadableFileError } from '../../imports/read';
import { createImport, dryRunImport, importSummary, runImport } from '../../imports/run';
import { XLSX_TYPE } from '../../reports/xlsx';

/*
 * A provincial office imports its records from its spreadsheet (imports/, the same core as `ocop import`): the file
 * is the request body (text/csv or .xlsx). `?dryRun=true` answers every row's problems and records nothing;
 * otherwise the import is recorded and runs in the background (202), its state at GET /imports/:id.
 */

/** Up to this many bytes of file: a province's 30,000 rows as CSV are about 6 MB. */
const MAX_FILE_BYTES = 32 * 1024 * 1024;
const FILE_TYPES = ['text/csv', XLSX_TYPE, 'application/octet-stream'];

const problemSchema = z.object({ rowNo: z.number(), column: z.string(), vi: z.string(), en: z.string() });
const statusSchema = z.enum(['pending', 'imported', 'present', 'refused']);
const kindSchema = z.enum(['certified', 'dossier', 'recipient']).nullable();
export const dryRunSchema = z
  .object({
    format: z.enum(['csv', 'xlsx']),
    totalRows: z.number(),
    counts: z.object({ importable: z.number(), present: z.number(), refused: z.number() }),
    ignoredHeadings: z.array(z.string()),
    rows: z.array(
      z.object({
        rowNo: z.number(),
        kind: kindSchema,
        productId: z.string().nullable(),
        /** `pending`: would be imported. */
        status: statusSchema,
        problems: z.array(problemSchema),
      }),
    ),
    lines: z.array(z.string()).describe('Each problem as an official reads it: "Dòng 12, cột Mã xã: …"'),
  })
  .meta({ id: 'ImportDryRun' });
export const importSummarySchema = z
  .object({
    id: z.string(),
    fileName: z.string(),
    status: z.enum(['running', 'stopped', 'done']),
    provinceCode: z.string().nullable(),
    totalRows: z.number(),
    counts: z.object({ imported: z.number(), present: z.number(), refused: z.number(), pending: z.number() }),
    refused: z.array(
      z.object({ rowNo: z.number(), productId: z.string().nullable(), problems: z.array(problemSchema) }),
    ),
    lines: z.array(z.string()),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'ImportSummary' });

const importQuery = z.strictObject({
  dryRun: z.enum(['true', 'false']).default('false'),
  /** An administrator's import of one province (a provincial office always imports its own). */
  province: z
    .string()
    .regex(/^\d{2}$/, 'mã tỉnh gồm 2 chữ số / a province code of 2 digits')
    .optional(),
  fileName: z.string().trim().min(1).max(200).default('import'),
});
const importParams = z.strictObject({ importId: z.string().regex(/^IMP-[0-9a-f]{16}$/) });
/** The file as it came (a Buffer); the zod schema only documents it. */
const fileBody = z.string().meta({ format: 'binary', description: 'The .csv (UTF-8) or .xlsx file.' });
const fileValidator: FastifySchemaCompiler<z.ZodType> = (route) =>
  route.httpPart === 'body'
    ? (data: unknown) =>
        Buffer.isBuffer(data) && data.length > 0
          ? { value: data }
          : { error: new Error('the body is the file: text/csv or .xlsx') }
    : guardedValidatorCompiler(route);

const importProblems = {
  ...queryProblems,
  403: queryProblems[400],
  413: queryProblems[400],
  415: queryProblems[400],
  422: queryProblems[400],
};

/** Imports of a province's spreadsheet, by its provincial office or an administrator. */
export const importRoutes =
  (deps: AppDeps, commands: CommandService): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preValidation', requireCaller);
    for (const type of FILE_TYPES)
      app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES }, (_req, body, done) =>
        done(null, body),
      );
    // Imports under way in this process: stopped (and resumable) when the API closes.
    const running = new Map<string, { abort: AbortController; done: Promise<unknown> }>();
    app.addHook('onClose', async () => {
      for (const r of running.values()) r.abort.abort();
      await Promise.allSettled([...running.values()].map((r) => r.done));
    });
    const start = (id: string) => {
      if (running.has(id)) return;
      const abort = new AbortController();
      const done = runImport({ sql: deps.sql, commands }, id, { signal: abort.signal })
        .catch((err: unknown) => app.log.error({ err, importId: id }, 'import stopped'))
        .finally(() => running.delete(id));
      running.set(id, { abort, done });
    };
    /** The province an import is for: a provincial office's own; an admin's, as asked. */
    const provinceFor = (user: Principal, asked: string | undefined): string | undefined => {
      if (user.role !== 'admin' && user.role !== 'provincial_office')
        throw new HttpProblem(403, 'Forbidden', {
          code: 'forbidden',
          detail:
            'Chỉ văn phòng OCOP tỉnh hoặc quản trị viên được nhập dữ liệu. / Only a provincial OCOP office or an administrator imports.',
        });
      const own = user.jurisdiction === 'VN' ? undefined : user.jurisdiction;
      if (own && asked && asked !== own)
        throw new HttpProblem(403, 'Forbidden', {
          code: 'forbidden',
          detail: `Chỉ được nhập dữ liệu của tỉnh ${own}. / You import only province ${own}.`,
        });
      return own ?? asked;
    };
    const unreadable = (err: unknown): never => {
      if (err instanceof UnreadableFileError)
        throw new HttpProblem(422, 'Unprocessable Content', {
          code: 'unreadable_file',
          detail: `${err.vi} / ${err.message}`,
        });
      throw err;
    };

    app.post(
      '/imports',
      {
        bodyLimit: MAX_FILE_BYTES,
        validatorCompiler: fileValidator as never,
        schema: {
          summary: 'Import a province’s records from its spreadsheet (nhập dữ liệu từ bảng tính), or check it first',
          description:
            'The body is the file (text/csv, UTF-8, or .xlsx; columns in README "Importing a province"): certified ' +
            'products with their certificates, dossiers in progress, recipients of notices. `dryRun=true` answers ' +
            'every row’s problems by row and column in Vietnamese and records nothing. Otherwise the import is ' +
            'recorded and runs in the background: 202 with its state, then GET /imports/{importId}. Each row is ' +
            'idempotent by its content: a second import of the same file records nothing twice.',
          tags: ['imports'],
          security: [{ bearer: [] }],
          consumes: FILE_TYPES,
          querystring: importQuery,
          body: fileBody,
          response: { 200: dryRunSchema, 202: importSummarySchema, ...importProblems },
        },
      },
      async (req, reply) => {
        const user = principalOf(req);
        const province = provinceFor(user, req.query.province);
        const bytes = req.body as unknown as Buffer;
        if (req.query.dryRun === 'true')
          return reply.send(await dryRunImport(deps.sql, bytes, { importer: user, province }).catch(unreadable));
        const id = await createImport(deps.sql, bytes, {
          importer: user,
          province,
          fileName: req.query.fileName,
        }).catch(unreadable);
        start(id);
        return reply
          .code(202)
          .header('location', `/imports/${id}`)
          .send((await importSummary(deps.sql, id))!);
      },
    );

    const visibleImport = async (user: Principal, id: string) => {
      const found = await importSummary(deps.sql, id, user);
      if (!found) throw new HttpProblem(404, 'Not Found', { detail: `Không có lần nhập ${id}. — No import ${id}.` });
      return found;
    };

    app.get(
      '/imports/:importId',
      {
        schema: {
          summary: 'An import’s state and summary: rows imported, already present, refused (with why), pending',
          description: 'For its importer, administrators and the office of its province; elsewhere 404.',
          tags: ['imports'],
          security: [{ bearer: [] }],
          params: importParams,
          response: { 200: importSummarySchema, ...queryProblems },
        },
      },
      async (req) => visibleImport(principalOf(req), req.params.importId),
    );

    app.post(
      '/imports/:importId/resume',
      {
        schema: {
          summary: 'Continue an import that stopped, from its pending rows',
          description: 'An import already done or running answers its state as it is.',
          tags: ['imports'],
          security: [{ bearer: [] }],
          params: importParams,
          response: { 202: importSummarySchema, ...importProblems },
        },
      },
      async (req, reply) => {
        const user = principalOf(req);
        const found = await visibleImport(user, req.params.importId);
        provinceFor(user, found.provinceCode ?? undefined);
        if (found.status !== 'done') start(found.id);
        return reply.code(202).send(await visibleImport(user, found.id));
      },
    );
  };
