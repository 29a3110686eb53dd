/**
 * procd-js: procd's `service` API over ubus-ts — a typed client (createProcdClient) and a
 * procd-compatible supervisor (procd-ts) built from a pure instance state machine.
 */
export * from './errors.js';
export type * from './types.js';
export { realClock, type Clock } from './clock.js';
export { parseInstance, configChanged, DEFAULT_RESPAWN, DEFAULT_TERM_TIMEOUT, type InstanceConfig, type RespawnPolicy, type DefinitionHost } from './supervisor/instance-config.js';
export { handle, initialState, isRunning, type InstanceState, type InstanceEvent, type Effect, type Phase, type MachinePolicy } from './supervisor/instance-machine.js';
export { Supervisor, type SupervisorDeps, type SupervisorHost } from './supervisor/supervisor.js';
export { createRealSpawner, type Spawner, type SpawnSpec, type SpawnCallbacks, type SignalResult } from './supervisor/spawner.js';
export { createFakeSpawner, type FakeSpawner, type FakeProcess } from './supervisor/fake-spawner.js';
export { createRealHost } from './supervisor/host.js';
export { createOutputLog, type OutputLog, type OutputLine } from './supervisor/output-log.js';
export { createProcdClient, type ProcdClient, type ServiceOptions } from './client/procd-client.js';
export { toWireInstance, signalNumber, type InstanceSpec, type RespawnSpec } from './client/instance-spec.js';
export { addServiceObject, SERVICE_POLICIES } from './supervisor/ubus-face.js';
export { startProcd, type ProcdDaemon, type ProcdDaemonOptions } from './supervisor/daemon.js';
