import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../config/logger';

let installed = false;

/**
 * Routes the SDK's own log lines into our pino logger (warnings and worse) and leaves signal handling to us, so
 * that Ctrl-C stops the API first, then drains the worker, then the servers, in that order.
 */
export function installTemporalRuntime(log: Logger, level: LogLevel = 'WARN'): void {
  if (installed) return;
  installed = true;
  const sdk = log.child({ component: 'temporal-sdk' });
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger(level, ({ level: l, message, meta }) => {
      const method = ({ TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const)[l];
      sdk[method](meta ?? {}, message);
    }),
  });
}
