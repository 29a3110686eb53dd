/** mwan-track: one tracker per WAN (docs/tracker.md). */
export { handle, initialState, classifyTarget, roundQuality, NO_ANSWER_LATENCY } from './machine.js';
export type { TrackStatus, TrackAction, TargetVerdict, MachineConfig, TargetResult, TargetRound, TrackState, MachineEvent, Emitted, Transition } from './machine.js';
export { parseSettings, machineConfig, validDevice, type TrackSettings, type TrackMethod, type Family } from './settings.js';
export { ProbeWindow, wanFigures, figuresMoved, FIGURES_POLICY, type TargetFigures, type WanFigures, type FiguresPolicy, type SentFigures } from './figures.js';
export { Tracker, type TrackerDeps, type TrackChange, type TrackFigures, type TrackStatusReply, type TargetStatus, type TrackUpdate } from './tracker.js';
export { UbusFace, parseUpdate, objectPath, EVENT, FIGURES_EVENT } from './ubus-face.js';
export { createProber, checkMethod, NOT_IMPLEMENTED } from './probes/index.js';
export { IcmpProber } from './probes/icmp.js';
export { HttpProber } from './probes/http.js';
export { RawL4Prober } from './probes/raw-l4.js';
export type { Prober, ProbeBinding } from './probes/types.js';
export { monotonicClock, FakeClock, type Clock } from './clock.js';
export { parseTrackArgs, type TrackArgs } from './cli-args.js';
export * from './errors.js';
