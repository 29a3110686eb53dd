/**
 * mwand: the mwan controller. The program is src/main.ts; this entry exports the pieces for
 * tests and tools: the pure core (state machine, policy resolution, reload diff, explain, the
 * ordered queue), the controller with its ports, the hook runner, the ubus face and its views.
 */
export * from './core/model.js';
export { handle, statusChanges, type CoreEvent, type HookAction, type InterfaceAction, type HandleResult } from './core/state.js';
export { interfaceStatus, allStatuses, usableSet, type InterfaceStatus, type InterfaceStatusWord, type TrackingWord } from './core/status.js';
export { resolvePolicy, resolveAll, largestRemainder, MAX_METRIC, type Share, type PolicyResolution } from './core/policy.js';
export { diffConfig, diffTrackers, diffInterfaces, isTracked, trackerIdentity, canonical, type ReloadDiff, type TrackerDiff, type InterfaceDiff } from './core/reload.js';
export { explain, checkFlowQuery, type FlowQuery, type ExplainResult, type ExplainAction, type ExplainDecision, type ExplainData, type ExplainSets, type ExplainSetsRequest, type SourceWans, type IpsetMembers, type SetEntries,
  unreadSets, stickySetsWanted, type StickyElement, type StickyEntries, type StickyHit, type StickyRef, type StickySet } from './core/explain.js';
export { EventQueue, type EventQueueOptions } from './core/queue.js';
export { realClock, FakeClock, type Clock } from './core/clock.js';
export { Controller, type ControllerDeps } from './controller.js';
export type { ConfigLoader, DataplanePort, NetifdPort, TrackerPort, RtmonPort } from './ports.js';
export { HookRunner, type HookResult, type HookOutcome, type HookRunnerOptions } from './hooks.js';
export { MwanEvents, type EventSink, type InterfaceEvent } from './events.js';
export { mwanMethods, publishMwan, OBJECT_PATH, type MwanService, type ReloadOutcome, type ObjectHost } from './ubus-api.js';
export { statusView, interfacesView, policiesView, rulesView, type Json, type PolicyTable, type RuleCounter } from './views.js';
export { parseTrackView } from './track-view.js';
export { newMetrics, type ControllerMetrics } from './metrics.js';
export { parseArgs, USAGE, type MwandArgs } from './args.js';
export { MwandError, MwandErrorCode, ConfigRejectedError, BadArgumentError } from './errors.js';
export { toCoreConfig, createConfigLoader } from './adapters/config.js';
export { createDataplanePort, toPlanConfig, toPlanState, choicesToTable, defaultMark, type DataplanePortOptions } from './adapters/dataplane.js';
export { sourceWansOf, ipsetMembersOf, setEntries, stickyEntriesOf, stickyElements, explainSetsOf } from './adapters/explain-data.js';
export { createNetifdPort, parseNetifdStatus } from './adapters/netifd.js';
export { createTrackerPort, trackerSettings, settingsIdentity, instanceName, SERVICE } from './adapters/trackers.js';
export { createRtmonPort, parseRtmonConnected } from './adapters/rtmon.js';
export { teardown, type TeardownReport } from './adapters/teardown.js';
