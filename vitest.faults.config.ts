import { defineConfig } from 'vitest/config';

// Fault tests (`npm run test:faults`): each file starts its own Temporal dev server (SQLite file), database and
// worker processes, then kills or stops one of them under load. One file at a time: they load the machine. Their
// databases live on a PostgreSQL cluster created for the run (test/faults/global-setup.ts).
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/faults/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 240_000,
  },
});
