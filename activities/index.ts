import type { Sql } from '../db';
import type { Logger } from '../config/logger';
import type { NotificationOffsets } from '../domain/notifications';
import type { DeliveryOptions } from '../notifications/deliver';
import { createNotificationActivities } from './notifications';
import { createRecordActivities } from './records';

export interface ActivityDeps {
  sql: Sql;
  log: Logger;
  /** Channels and reminder offsets; read from the configuration when omitted. */
  notifications?: { delivery?: Partial<DeliveryOptions>; offsets?: NotificationOffsets };
}

/** Every activity the case workflow calls, built with the worker's dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createRecordActivities(deps),
    ...createNotificationActivities({ sql: deps.sql, log: deps.log, ...deps.notifications }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
