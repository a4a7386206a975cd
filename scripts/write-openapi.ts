/**
 * `npm run openapi`: writes api/openapi.json from the routes' zod schemas. The test in
 * test/unit/api-openapi.test.ts fails when the committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { formatOpenApi, OPENAPI_PATH, openApiDocument } from '../api/openapi';

const doc = await openApiDocument();
writeFileSync(OPENAPI_PATH, formatOpenApi(doc));
const paths = Object.keys(doc.paths ?? {});
process.stdout.write(`wrote ${OPENAPI_PATH}: ${paths.length} paths\n`);
