/*
 * Characters no text that enters the system may hold. PostgreSQL cannot store NUL (U+0000) in text or jsonb, and a
 * lone UTF-16 surrogate has no UTF-8 form: jsonb refuses it and a text column silently turns it into U+FFFD, so the
 * stored value would no longer be the hashed one. Bidirectional embedding, override and isolate controls
 * (U+202A–U+202E, U+2066–U+2069) reorder what an official reads on screen ("Trojan source" names); no Vietnamese
 * text needs them. Pure, so the API, the workflow's Update validator and the activities share it.
 */

/** Why a string may not enter, in Vietnamese then English; null when it may. */
export function textFault(s: string, options: { bidi?: boolean } = {}): string | null {
  if (s.includes('\u0000')) return 'chứa ký tự NUL (U+0000) / contains NUL (U+0000)';
  const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(s);
  if (lone) {
    const code = lone[0].charCodeAt(0).toString(16).toUpperCase();
    return `chứa nửa cặp thay thế UTF-16 đơn lẻ (U+${code}) / contains a lone surrogate (U+${code})`;
  }
  if (options.bidi !== false) {
    const bidi = /[\u202A-\u202E\u2066-\u2069]/.exec(s);
    if (bidi) {
      const code = bidi[0].charCodeAt(0).toString(16).toUpperCase();
      return `chứa ký tự điều khiển hướng chữ (U+${code}) / contains a bidirectional control character (U+${code})`;
    }
  }
  return null;
}

export interface TextIssue {
  /** Where the string is: object keys and array indexes from the value's root. */
  path: (string | number)[];
  message: string;
}

/**
 * Every string in `value` (object keys included) that may not enter, with its path; at most `limit` of them.
 * `bidi: false` checks only what storage cannot hold (NUL, lone surrogates), for records written before the rule.
 */
export function textIssues(value: unknown, options: { bidi?: boolean; limit?: number } = {}): TextIssue[] {
  const issues: TextIssue[] = [];
  const limit = options.limit ?? 20;
  const walk = (v: unknown, path: (string | number)[], depth: number): void => {
    if (issues.length >= limit || depth > 64) return;
    if (typeof v === 'string') {
      const fault = textFault(v, options);
      if (fault) issues.push({ path, message: fault });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, [...path, i], depth + 1));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        const fault = textFault(k, options);
        // A bad key is reported in a printable form, never echoed as it came.
        if (fault) issues.push({ path: [...path, printable(k)], message: fault });
        else walk(item, [...path, k], depth + 1);
      }
    }
  };
  walk(value, [], 0);
  return issues.slice(0, limit);
}

/** The string with every character `textFault` objects to written as a `\uXXXX` escape, safe to echo. */
export function printable(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex -- NUL is exactly what this finds
    /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\u202A-\u202E\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}
