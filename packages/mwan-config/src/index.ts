/**
 * mwan-config: the typed mwan config model (mwan3's sections and options, defaults applied),
 * its JSON Schema, cross-reference checks and mwan3 compatibility.
 */
export type * from './types.js';
export * from './marks.js';
export { loadConfig, loadConfigText, loadConfigOrThrow, validatePackage, CONFIG_NAME } from './load.js';
export { ConfigError, formatIssue, IssueList } from './issues.js';
export { buildSchema, parsePortRange, prefixFamily, isProtocol } from './schema.js';
export { schemaValidator } from './validate.js';
export { SECTIONS, BUILTIN_POLICIES, BALANCE_MODES, TRACK_METHODS, UNSUPPORTED_TRACK_METHODS, type OptionDef, type SectionDef } from './options.js';
export { RESERVED_SET_NAMES } from './cross-check.js';
export { trackerSettings, findInterface, findMember, findPolicy, interfaceRoutingOf } from './helpers.js';
export { runCheck, type CheckIo } from './check-command.js';
