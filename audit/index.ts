/**
 * The auditor's API: history, state as of an instant, chain verification, signed export and offline verification,
 * and the determinism audit. Functions take `sql` / a Temporal `Client` and plain arguments and return plain JSON,
 * for the CLI (`cli/ocop.ts audit …`) and the HTTP routes alike.
 */
export { caseHistory, caseStateAsOf, CaseNotFoundError, type CaseHistory, type CaseStateAsOf } from './history';
export {
  verifyAll,
  verifyCase,
  type CaseVerification,
  type VerifyAllOptions,
  type VerifyAllResult,
  type VerifyProgress,
} from './verify';
export {
  BUNDLE_FORMAT,
  bundleSchema,
  exportCase,
  historyJson,
  keyFingerprint,
  serializeBundle,
  signBundle,
  verifyBundle,
  verifyBundleBytes,
  type AuditBundle,
  type BundleCheck,
  type BundleFailure,
  type BundleVerification,
  type ExportCaseOptions,
  type VerifyBundleOptions,
} from './bundle';
export {
  replayRuns,
  runsOfBundle,
  type RecordedRun,
  type ReplayOptions,
  type ReplayReport,
  type RunReplay,
} from './replay';
