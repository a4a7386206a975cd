/** Provincial evaluation rounds: their events, fold and decider. */
export * from './round';
export * from './decide';
