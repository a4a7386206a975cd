import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../config/logger';

let installed = false;

/**
 * Routes the SDK's own log lines into our pino logger (warnings and worse) and leaves signal handling to us, so
 * that Ctrl-C stops the API first, then drains the worker, then the servers, in that order.
 */
export function installTemporalRuntime(
  log: Logger,
  level: LogLevel = 'WARN',
  options: {
    /**
     * host:port where the SDK serves its own Prometheus metrics (task latencies, slots, pollers, cache, sticky
     * hits) at /metrics. @default off
     */
    metricsAddress?: string;
  } = {},
): void {
  if (installed) return;
  installed = true;
  const sdk = log.child({ component: 'temporal-sdk' });
  Runtime.install({
    shutdownSignals: [],
    ...(options.metricsAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: options.metricsAddress } } } }
      : {}),
    logger: new DefaultLogger(level, ({ level: l, message, meta }) => {
      const method = ({ TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const)[l];
      sdk[method](meta ?? {}, message);
    }),
  });
}
