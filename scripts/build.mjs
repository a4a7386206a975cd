#!/usr/bin/env node
// `npm run build`: the production build. Compiles the product's entry points to plain JavaScript in dist/ (esbuild,
// one ES module per entry, npm packages left as imports) and bundles the workflow code once into
// dist/workflow-bundle.js, which the compiled worker loads instead of bundling the sources at every start. The
// migrations are copied beside the code that applies them, and the web application is built into dist/web. Run with `node dist/start.js` (or `dist/ocop.js`).
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const started = performance.now();
const step = (message) =>
  process.stderr.write(`[build] ${message} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

step('compiling the entry points');
await build({
  absWorkingDir: root,
  entryPoints: { start: 'cli/start.ts', ocop: 'cli/ocop.ts', 'dev-token': 'cli/dev-token.ts' },
  outdir: dist,
  // One file per entry point, no shared chunks: every module's import.meta.url then names dist/ itself.
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  // Tells the code it runs compiled (config/paths.ts: files are then found from dist/).
  define: { 'globalThis.__OCOP_BUILT__': 'true' },
});
cpSync(join(root, 'db', 'migrations'), join(dist, 'migrations'), { recursive: true });

step('bundling the workflows');
// The same bundler and options as the worker uses from source (worker/index.ts), run under tsx for its TypeScript.
const { bundleWorkflows } = await import('../worker/index.ts');
const { code } = await bundleWorkflows();
writeFileSync(join(dist, 'workflow-bundle.js'), code);

step('building the web application (Vite, dist/web)');
// Vite's own API, with the same configuration as `npm run build:web`.
const { build: buildWeb } = await import('vite');
await buildWeb({ configFile: join(root, 'web', 'vite.config.ts'), logLevel: 'warn' });

const size = (file) => `${(statSync(join(dist, file)).size / 1024).toFixed(0)} KiB`;
step(`done: dist/start.js ${size('start.js')}, dist/workflow-bundle.js ${size('workflow-bundle.js')}`);
