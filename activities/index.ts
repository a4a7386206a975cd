import type { Sql } from '../db';
import type { Logger } from '../config/logger';
import type { NotificationOffsets } from '../domain/notifications';
import type { DeliveryOptions } from '../notifications/deliver';
import { enqueueNotices } from '../notifications/deliver';
import type { SenderSettings } from '../notifications/sender';
import { createNotificationActivities, notificationSetup, type NotificationSetup } from './notifications';
import { createProgrammeActivities } from './programme';
import { createRecordActivities } from './records';

export interface ActivityDeps {
  sql: Sql;
  log: Logger;
  /** Channels, reminder offsets and sender settings; read from the configuration when omitted. */
  notifications?: {
    delivery?: Partial<DeliveryOptions>;
    offsets?: NotificationOffsets;
    sender?: Partial<SenderSettings>;
  };
}

/**
 * Every activity the workflows call (the case, the yearly programme, the open data), built with the worker's dependencies. `wake` tells the worker's
 * notification sender that outbox rows were committed.
 */
export function createActivities(
  deps: ActivityDeps,
  setup: NotificationSetup = notificationSetup({ log: deps.log, ...deps.notifications }),
  wake?: () => void,
) {
  return {
    ...createRecordActivities({
      sql: deps.sql,
      log: deps.log,
      enqueueNotices: (tx, notices) => enqueueNotices(tx, deps.log, setup.delivery, notices),
      offsets: setup.offsets,
      ...(wake ? { wake } : {}),
    }),
    ...createNotificationActivities({ sql: deps.sql, log: deps.log, ...(wake ? { wake } : {}) }, setup),
    ...createProgrammeActivities({
      sql: deps.sql,
      log: deps.log,
      enqueueNotices: (tx, notices) => enqueueNotices(tx, deps.log, setup.delivery, notices),
      ...(wake ? { wake } : {}),
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
