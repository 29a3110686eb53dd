/**
 * uci-js: UCI files exactly as libuci reads and writes them, the delta (staging) layer, and a
 * `uci`-compatible command line. See docs/uci.md.
 */
export * from './errors.js';
export * from './model.js';
export { isValidName, isValidPackageName, isValidText, isValidType, anonymousName, djbHash } from './names.js';
export { parseUci, parsePackageText, type ParseOptions, type ParseResult } from './parse.js';
export { exportPackage, escapeValue, type ExportOptions } from './export.js';
export { parsePtr, resolvePtr, lookupExtendedSection, type UciPtr } from './ptr.js';
export { addSection, setValue, addList, delList, deleteEntry, renameEntry, reorderSection, type ResolvedPtr } from './ops.js';
export { formatDelta, parseDeltaText, parseDeltaTuple, applyDelta, replayDeltas, type ParsedDelta } from './delta.js';
export { UciContext, writeAtomic, DEFAULT_CONFDIR, DEFAULT_SAVEDIR, type UciContextOptions, type LoadedPackage } from './context.js';
export { acquireLock, type LockOptions } from './lock.js';
export { runUci, type CliIo } from './cli/run.js';
