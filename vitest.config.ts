import { defineConfig } from 'vitest/config';

// Two projects: `unit` is pure (domain rules, no servers); `integration` shares one Temporal dev server, one
// time-skipping server and one fresh PostgreSQL database per run, started by the global setup.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
