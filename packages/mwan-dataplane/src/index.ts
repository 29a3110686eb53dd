/**
 * mwan-dataplane: the pure planner (config + state -> desired nft table, ip rules, routes) and the
 * applier that makes the kernel match it, changing only the difference.
 */
export * from './plan/types.js';
export { plan } from './plan/plan.js';
export { fromMwanConfig } from './plan/from-config.js';
export { markSpace, interfaceMark, spread, prefs, isOwnPref, DEFAULT_MASK, type MarkSpace } from './plan/marks.js';
export { names, TABLE } from './plan/names.js';
export { wanInfos, sourceBoundProbes } from './plan/wans.js';
export { probeScope } from './plan/nft-plan.js';
export { isValidDeviceName, isValidGateway, isValidCidr, checkWanState, MAX_LATENCY_MS } from './plan/validate.js';
export { checkDesired } from './apply/check-desired.js';
export { choosePolicy, effectiveWeights } from './plan/policy.js';
export { PlanError, ApplyError, type DataplaneErrorCode } from './errors.js';
export { createApplier, type Applier, type ApplierOptions, type ApplyReport, type ActualState } from './apply/applier.js';
export type { DataplaneBackend, IpOp, ActualRoute } from './apply/backend.js';
export { createKernelBackend, type KernelBackend, type KernelBackendOptions } from './apply/kernel-backend.js';
export { createRecordingBackend, type RecordingBackend, type RecordedCall } from './apply/recording-backend.js';
export { diffNft, ruleComment } from './apply/nft-diff.js';
export { renderDesired, renderNft, renderIpRule, renderRoute } from './plan/render.js';
export { runPlan, parseState, type PlanIo, type PlanOut } from './plan-command.js';
