import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from '../../../config';

describe('configuration', () => {
  it('starts with sane defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ API_HOST: '127.0.0.1', API_PORT: 3000, TEMPORAL_NAMESPACE: 'default' });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('names every malformed variable and why', () => {
    let caught: unknown;
    try {
      loadConfig({ API_PORT: 'eighty', DATABASE_URL: 'mysql://x', AUTH_JWT_SECRET: 'short', LOG_LEVEL: 'loud' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const variables = (caught as ConfigError).issues.map((i) => i.variable).sort();
    expect(variables).toEqual(['API_PORT', 'AUTH_JWT_SECRET', 'DATABASE_URL', 'LOG_LEVEL']);
    expect((caught as ConfigError).message).toMatch(/AUTH_JWT_SECRET: must be at least 32 characters/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', TEMPORAL_ADDRESS: ' ' })).toMatchObject({
      DATABASE_URL: undefined,
      TEMPORAL_ADDRESS: undefined,
    });
  });

  it('is documented variable by variable in the README', () => {
    const readme = readFileSync('README.md', 'utf8');
    const documented = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(configSchema.shape).sort());
  });
});
