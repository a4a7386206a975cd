import type { Sql } from '../db';
import type { Logger } from '../config/logger';
import { createRecordActivities } from './records';

export interface ActivityDeps {
  sql: Sql;
  log: Logger;
}

/** Every activity the case workflow calls, built with the worker's dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createRecordActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
