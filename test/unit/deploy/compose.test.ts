import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../../config';

// No container engine runs on the development machines, so docker-compose.yml is checked statically: against the
// Compose specification's own JSON schema (test/fixtures/compose-spec.json, vendored from compose-spec/compose-spec
// at 170098ba07d9f53c383a41bfd4c5166b0a4529a6), and for what an operator relies on: every image pinned, health
// checks, restart policies and resource limits everywhere, no secret in the file, scalable services, and the
// product's settings known and valid.
const source = readFileSync('docker-compose.yml', 'utf8');

/** Compose's interpolation with a sample environment: `${X:?}` must be given, `${X:-d}` falls back, `$$` is `$`. */
function interpolate(text: string, env: Record<string, string>): string {
  return text
    .replace(/\$\{([A-Z0-9_]+)(?::?([?-])([^}]*))?\}/g, (_all, name: string, kind?: string, rest?: string) => {
      const value = env[name];
      if (value !== undefined && value !== '') return value;
      if (kind === '?') throw new Error(`${name} is required: ${rest}`);
      return kind === '-' ? (rest ?? '') : '';
    })
    .replaceAll('$$', '$');
}

const SAMPLE = {
  POSTGRES_PASSWORD: 'owner-secret-1234',
  OCOP_DB_APP_PASSWORD: 'app-secret-5678',
  AUTH_JWT_SECRET: 'x'.repeat(40),
  AUDIT_SIGNING_KEY_PATH: './audit-signing-key.pem',
};

interface Service {
  image?: string;
  command?: string[];
  restart?: string;
  ports?: string[];
  container_name?: string;
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: boolean };
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string } } };
}
const compose = parse(interpolate(source, SAMPLE), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const product = ['migrate', 'api', 'worker', 'sender'];

describe('docker-compose.yml', () => {
  it('is valid under the Compose specification schema', () => {
    // Its $schema names draft-07 by an address Ajv does not know by that spelling; Ajv's default draft is 07.
    const { $schema: _draft, ...schema } = JSON.parse(readFileSync('test/fixtures/compose-spec.json', 'utf8')) as {
      $schema: string;
    };
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('refuses to start without each secret, and holds none itself', () => {
    for (const name of Object.keys(SAMPLE)) {
      expect(() => interpolate(source, { ...SAMPLE, [name]: '' }), name).toThrow(name);
    }
    for (const value of Object.values(SAMPLE)) expect(source).not.toContain(value);
    // Every password, secret or URL with credentials is a reference, never a literal.
    for (const line of source.split('\n').filter((l) => /(PASSWORD|PWD|SECRET|_URL):/.test(l))) {
      const literal = line.replace(/\$\{[^}]*\}/g, '');
      expect(literal, line).not.toMatch(/:\/\/[^:\s/]*:[^@\s]+@|(PASSWORD|PWD|SECRET): *['"]?[^\s'"]/);
    }
  });

  it('pins every image to an exact version (major.minor at least, or a digest; never latest or a bare major)', () => {
    const images = Object.entries(services).map(([name, s]) => [name, s.image ?? ''] as const);
    expect(images.length).toBeGreaterThanOrEqual(8);
    for (const [name, image] of images)
      expect(image, name).toMatch(/(:\d+\.\d+(\.\d+)?(-[\w.-]+)?|@sha256:[0-9a-f]{64})$/);
  });

  it('has a health check, a restart policy and resource limits on every service', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.restart, name).toMatch(/^(unless-stopped|always|on-failure)$/);
      expect(s.deploy?.resources?.limits?.memory, name).toBeDefined();
      expect(s.deploy?.resources?.limits?.cpus, name).toBeDefined();
      // The one-shot migration has no health to check: the others wait for it to complete.
      if (name === 'migrate') expect(s.healthcheck?.disable).toBe(true);
      else expect(s.healthcheck?.test?.length, name).toBeGreaterThan(0);
    }
  });

  it('runs each product role from the one image, scalable (no container name, no fixed host port)', () => {
    for (const role of product) {
      const s = services[role]!;
      expect(s.command, role).toEqual(['node', 'dist/start.js', '--role', role]);
      expect(s.image).toBe(services.api!.image);
      expect(s.container_name, role).toBeUndefined();
      for (const port of s.ports ?? []) expect(port, role).toMatch(/:\d+-\d+:/);
    }
    expect(services.worker!.ports).toBeUndefined();
    expect(services.sender!.ports).toBeUndefined();
  });

  it('gives the product only settings it knows, valid, with the owner only for the migration', () => {
    const known = Object.keys(configSchema.shape);
    for (const role of product) {
      const env = services[role]!.environment ?? {};
      expect(
        Object.keys(env).filter((k) => !known.includes(k)),
        role,
      ).toEqual([]);
      const parsed = configSchema.safeParse(env);
      expect(parsed.success, `${role}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      expect(new URL(env.DATABASE_URL ?? '').username, role).toBe('ocop_app_login');
      expect('DATABASE_OWNER_URL' in env, role).toBe(role === 'migrate');
      expect(env.TEMPORAL_ADDRESS, role).toBe('temporal:7233');
    }
    expect(new URL(services.migrate!.environment!.DATABASE_OWNER_URL!).username).toBe(
      services.postgres!.environment!.POSTGRES_USER,
    );
    expect(services.api!.environment!.REDIS_URL).toBe('redis://redis:6379/0');
  });

  it('runs the Temporal server on the compose PostgreSQL with SQL visibility', () => {
    const env = services.temporal!.environment ?? {};
    expect(env).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'postgres',
      VISIBILITY_DBNAME: 'temporal_visibility',
    });
    expect(services.temporal!.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });
});
