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
  type MissingTail,
  type StreamAnchor,
  type VerifyCaseOptions,
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
  CHECKPOINT_FORMAT,
  CheckpointRefusedError,
  checkpointProofFor,
  checkpointProblems,
  headsRoot,
  lastCheckpoint,
  proofProblems,
  signCheckpoint,
  takeCheckpoint,
  type CheckpointProof,
  type CheckpointStatus,
  type SignedCheckpoint,
  type StreamHead,
  type TakeCheckpointResult,
} from './checkpoint';
export { CheckpointScheduler } from './checkpoint-scheduler';
export {
  replayRuns,
  runsOfBundle,
  type RecordedRun,
  type ReplayOptions,
  type ReplayReport,
  type RunReplay,
} from './replay';
