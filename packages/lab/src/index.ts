/** The lab as a library: what the end-to-end tests and benchmarks build on. */
export { defaultTopology, wanBySource, type Topology, type WanSpec } from './topology.js';
export { buildNetwork, type LabNet } from './network.js';
export { applyFault, type LinkFault } from './faults.js';
export { labMwanConfig, labInterfaces, LAB_TIMING, type TrackTiming } from './lab-config.js';
export { RouterStack, type WanStatus } from './stack.js';
export { startLab, stopLab, playStory, applyAction, type LabSession, type BusEvent } from './run.js';
export { defaultStory, shortStory, type Step, type Expectation, type StepAction } from './story.js';
export { windowStats, timeToMove, timeToReturn, type Observed, type WindowStats } from './metrics.js';
