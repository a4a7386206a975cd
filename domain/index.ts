/** The pure domain of ocop-cycle: the case decider, the rule-sets and the Vietnamese calendar. */
export * from './case';
export * from './calendar';
export * from './rules';
export * from './text';
export * from './council';
export * from './rounds';
