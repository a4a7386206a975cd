import { createHash } from 'node:crypto';

/**
 * Canonical JSON, the encoding every hash in the event store is computed over (RFC 8785-style):
 * - object keys sorted by UTF-16 code units, members with an `undefined` value left out;
 * - no white space; arrays keep their order;
 * - strings and numbers as `JSON.stringify` writes them (shortest round-trip form for numbers);
 * - `null`, `true`, `false` literally. Non-finite numbers, functions, symbols and bigints are refused.
 * Anyone can recompute a hash from an exported bundle with these rules alone.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot encode ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The previous hash of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of a stored event that its hash covers (everything but the global position and recorded_at). */
export interface HashedEventFields {
  streamId: string;
  streamPosition: number;
  eventId: string;
  commandId: string;
  commandIndex: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  actor: { userId: string; role: string; office: string };
  occurredAt: string;
  ruleSetId: string;
  prevHash: string;
}

export function eventHash(fields: HashedEventFields): string {
  return sha256Hex(canonicalJson(fields));
}

/** A UUID (version-8 layout) derived from a name, so a retried append produces the same event id. */
export function deterministicUuid(name: string): string {
  const h = createHash('sha256').update(name, 'utf8').digest('hex');
  const variant = ((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16).padStart(2, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
