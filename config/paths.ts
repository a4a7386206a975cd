/**
 * Where the product's own files are, from the sources or compiled. Compiled by `npm run build`, every module is
 * bundled into one file per entry point in dist/ (the build defines `__OCOP_BUILT__`), so `import.meta.url` names
 * dist/ rather than the module's source folder; the files it reads (migrations, the workflow bundle, the Temporal
 * pins) are then found from dist/.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/ when running compiled, otherwise null. */
export const builtDir: string | null = (globalThis as { __OCOP_BUILT__?: boolean }).__OCOP_BUILT__
  ? dirname(fileURLToPath(import.meta.url))
  : null;

/** The project's root folder: the one holding package.json, scripts/ and .tools/. */
export const productRoot: string = resolve(builtDir ?? dirname(fileURLToPath(import.meta.url)), '..');

/** The SQL migrations: copied into dist/ by the build. */
export const migrationsDir: string = builtDir ? join(builtDir, 'migrations') : join(productRoot, 'db', 'migrations');

/** The prebuilt workflow bundle of a compiled product, else null (the worker bundles the sources). */
export const prebuiltWorkflowBundle: string | null = builtDir ? join(builtDir, 'workflow-bundle.js') : null;

/** The built web application (Vite, `npm run build:web`), served at /app: in dist/web, from the sources or compiled. */
export const webDir: string = builtDir ? join(builtDir, 'web') : join(productRoot, 'dist', 'web');
