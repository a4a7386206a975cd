import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { HttpProblem, queryProblems } from '../problems';
import { provinceName } from '../../read-models/search/queries';
import {
  listOpenDataFiles,
  OPEN_DATA_LICENCE,
  OPEN_DATA_SCHEMA,
  OPEN_DATA_SCHEMA_PATH,
  openDataFile,
} from '../../documents/open-data';

const fileSchema = z.object({
  name: z.string(),
  url: z.string(),
  mediaType: z.enum(['text/csv', 'application/json']),
  provinceCode: z.string().nullable().describe('null: the nationwide file'),
  provinceName: z.string().nullable(),
  bytes: z.number().int(),
  rows: z.number().int(),
  sha256: z.string().describe('SHA-256 (hex) of the file: also its ETag and X-Checksum-SHA256'),
  asOf: z.string().describe('YYYY-MM-DD (Vietnam): the day the statuses are given for'),
  generatedAt: z.string().describe('ISO-8601 UTC'),
});

const indexSchema = z.object({
  title: z.string(),
  licence: z.object({ id: z.string(), name: z.string(), url: z.string(), attribution: z.string() }),
  schema: z.string().describe('The JSON Schema of the files'),
  files: z.array(fileSchema),
});

/** The daily open data of certified products (issue 20): public, cacheable, with its checksum and schema. */
export const openDataRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const rateLimit = { rateLimit: { max: deps.publicLookupRateLimit ?? 60, timeWindow: 60_000 } };

    app.get(
      '/public/open-data',
      {
        config: rateLimit,
        schema: {
          summary: 'Open data (dữ liệu mở) of OCOP certified products: the files, sizes, checksums and licence',
          description:
            'The files the daily open-data Schedule writes: CSV and JSON, nationwide (`ocop-products.csv`) and per ' +
            'province (`ocop-products-19.json`). Public facts only, no person; CC BY 4.0.',
          tags: ['public'],
          response: { 200: indexSchema, 429: queryProblems[429], 500: queryProblems[500] },
        },
      },
      async (_req, reply) => {
        const files = await listOpenDataFiles(deps.sql);
        reply.header('cache-control', 'public, max-age=300');
        return {
          title: 'Dữ liệu mở sản phẩm OCOP / OCOP products open data',
          licence: OPEN_DATA_LICENCE,
          schema: OPEN_DATA_SCHEMA_PATH,
          files: files.map((f) => ({
            name: f.name,
            url: `/public/open-data/${f.name}`,
            mediaType: f.mediaType as 'text/csv' | 'application/json',
            provinceCode: f.provinceCode,
            provinceName: f.provinceCode ? provinceName(f.provinceCode) : null,
            bytes: f.bytes,
            rows: f.rows,
            sha256: f.sha256,
            asOf: f.asOf,
            generatedAt: f.generatedAt,
          })),
        };
      },
    );

    app.get(
      OPEN_DATA_SCHEMA_PATH,
      {
        config: rateLimit,
        schema: {
          summary: 'The JSON Schema of the open-data files, every field documented (Vietnamese and English)',
          tags: ['public'],
          response: { 200: z.looseObject({ $schema: z.string() }), 429: queryProblems[429] },
        },
      },
      async (_req, reply) => {
        reply.header('cache-control', 'public, max-age=86400');
        return OPEN_DATA_SCHEMA;
      },
    );

    app.get(
      '/public/open-data/:file',
      {
        config: rateLimit,
        schema: {
          summary: 'One open-data file (CSV or JSON), with its ETag and SHA-256 checksum',
          description:
            'Answers the file as it was written: `text/csv` (UTF-8 with BOM) for `.csv`, `application/json` (see ' +
            'schema.json) for `.json`; `ETag` and `X-Checksum-SHA256` carry its SHA-256, `If-None-Match` gets 304.',
          tags: ['public'],
          params: z.object({ file: z.string().max(100) }),
          response: {
            200: z.string().describe('The file (CSV: UTF-8 with BOM; JSON: see schema.json)'),
            304: z.null().describe('Not modified (If-None-Match)'),
            404: queryProblems[404],
            429: queryProblems[429],
          },
        },
      },
      async (req, reply) => {
        const file = await openDataFile(deps.sql, req.params.file);
        if (!file) {
          throw new HttpProblem(404, 'Not Found', {
            detail:
              `Không có tệp dữ liệu mở ${req.params.file} (danh sách: GET /public/open-data). / ` +
              `No open-data file ${req.params.file} (list: GET /public/open-data).`,
          });
        }
        const etag = `"${file.sha256}"`;
        reply
          .header('etag', etag)
          .header('cache-control', 'public, max-age=3600')
          .header('x-checksum-sha256', file.sha256)
          .header('repr-digest', `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`)
          .header('last-modified', new Date(file.generatedAt).toUTCString());
        const match = req.headers['if-none-match'];
        if (match !== undefined && match.split(',').some((t) => t.trim() === etag)) return reply.code(304).send(null);
        return reply
          .type(`${file.mediaType}; charset=utf-8`)
          .header('content-disposition', `inline; filename="${file.name}"`)
          .send(file.content as never);
      },
    );
  };
