/** Accounts (tài khoản) and their grants: events, fold, jurisdiction boundary and decider. */
export * from './account';
export * from './jurisdiction';
export * from './decide';
