/** netifd-ts: netifd's network.interface.* objects and events from real link state. */
export * from './errors.js';
export * from './spec.js';
export * from './status.js';
export { NetState } from './netstate.js';
export { NetifdService, EVENT, type NetifdServiceDeps, type Clock } from './service.js';
export { parseArgs, USAGE, type NetifdArgs } from './args.js';
