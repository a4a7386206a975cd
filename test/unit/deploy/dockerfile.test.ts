import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// No Docker engine runs on the development machines, so the Dockerfile is checked statically: what the image runs
// and as whom. (Building it needs an engine; see README, "Deployment with containers".)
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

describe('Dockerfile', () => {
  it('builds and runs on Node.js 24, the version package.json asks for', () => {
    const froms = instructions.filter((line) => line.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^FROM node:24[.\d]*-/);
    const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toMatch(/^>=24/);
  });

  it('installs from the lock file with npm ci, never npm install', () => {
    expect(instructions.some((line) => /^RUN npm ci\b/.test(line))).toBe(true);
    expect(dockerfile).not.toMatch(/npm install|npm i /);
  });

  it('runs the compiled build with its prebuilt workflow bundle, not tsx, as a non-root user, with a health check', () => {
    const final = stages.at(-1) ?? '';
    expect(stages[0]).toMatch(/RUN npm run build/);
    expect(final).toMatch(/COPY --from=build \/app\/dist/);
    expect(final).toMatch(/^CMD \["node", "dist\/start\.js"\]$/m);
    expect(final).not.toMatch(/tsx/);
    const user = /^USER (\S+)$/m.exec(final)?.[1];
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)$/);
    expect(final).toMatch(/^HEALTHCHECK .*\/health/m);
  });
});
