import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../../config';
import { searchAttributeKeys } from '../../../temporal/search-attributes';

// No Docker engine runs on the development machines, so docker-compose.yml is checked statically: every variable it
// sets is one the product reads and accepts, it points the product at the compose services, and the Temporal server
// registers the search attributes the workflow writes.
const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as {
  services: Record<string, { environment?: Record<string, string>; command?: string[]; depends_on?: object }>;
};

describe('docker-compose.yml', () => {
  const env = compose.services.ocop?.environment ?? {};

  it('sets only configuration variables the product knows, with valid values', () => {
    const known = Object.keys(configSchema.shape);
    expect(Object.keys(env).filter((k) => !known.includes(k))).toEqual([]);
    expect(configSchema.safeParse(env).success).toBe(true);
  });

  it('points the product at the compose PostgreSQL and Temporal', () => {
    const pg = compose.services.postgres?.environment ?? {};
    const url = new URL(env.DATABASE_URL ?? '');
    expect(url.hostname).toBe('postgres');
    expect(decodeURIComponent(url.password)).toBe(pg.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);
    expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('registers every search attribute the workflow upserts', () => {
    const args = compose.services.temporal?.command ?? [];
    for (const key of searchAttributeKeys) {
      expect(args.some((a) => a.startsWith(`--search-attribute=${key.name}=`))).toBe(true);
    }
  });
});
