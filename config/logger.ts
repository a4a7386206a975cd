import pino from 'pino';

export type Logger = pino.Logger;

/** The one logger: pino JSON on stdout; personal data and credentials are redacted. */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'ocop-cycle', ...bindings },
    redact: {
      paths: ['req.headers.authorization', 'authorization', '*.email', '*.phone', 'subjectName', '*.subjectName'],
      censor: '[redacted]',
    },
  });
}
