/**
 * Loading an mwan config: UCI parse (libuci rules, all syntax errors collected) → document →
 * schema → cross checks → model. Nothing here throws for a bad config; the result lists issues.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseUci, UciError, UciParseError, type UciPackage } from 'uci-js';
import { buildDocument } from './document.js';
import { crossCheck } from './cross-check.js';
import { ConfigError, IssueList } from './issues.js';
import { buildModel } from './model.js';
import { validateDocument } from './validate.js';
import type { LoadResult, MwanConfig } from './types.js';

/** Package (and file) name of the config. */
export const CONFIG_NAME = 'mwan';

/** Check a parsed UCI package. */
export function validatePackage(pkg: UciPackage, file: string, issues = new IssueList(file)): LoadResult {
  const { doc, index } = buildDocument(pkg, issues);
  validateDocument(doc, index, issues);
  crossCheck(doc, index, issues);
  const { errors, warnings } = issues.sorted();
  return { config: errors.length === 0 ? buildModel(doc, index, file) : null, errors, warnings };
}

/** Check config text as if it were the file `file`. A `package mwan3` line is accepted. */
export function loadConfigText(text: string, file = CONFIG_NAME): LoadResult {
  const issues = new IssueList(file);
  let pkg: UciPackage;
  try {
    const r = parseUci(text, { name: CONFIG_NAME, file, strict: true, collect: true, single: true });
    pkg = r.packages[0] as UciPackage;
    for (const e of r.errors) issues.error('ERR_UCI_PARSE', e.line, null, e.reason);
  } catch (e) {
    if (e instanceof UciParseError) issues.error('ERR_UCI_PARSE', e.line, null, e.reason);
    else if (e instanceof UciError) issues.error(e.code, 0, null, e.message);
    else throw e;
    const { errors, warnings } = issues.sorted();
    return { config: null, errors, warnings };
  }
  return validatePackage(pkg, file, issues);
}

/** Load and check `<dir>/mwan` (dir defaults to /etc/config). */
export function loadConfig(dir = '/etc/config'): LoadResult {
  const file = join(dir, CONFIG_NAME);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    return {
      config: null,
      errors: [{ severity: 'error', code: 'ERR_MWAN_NO_CONFIG', file, line: 0, field: null, message: `cannot read ${file} (${code})` }],
      warnings: [],
    };
  }
  return loadConfigText(text, file);
}

/** Like loadConfig, but throws ConfigError listing every error. */
export function loadConfigOrThrow(dir = '/etc/config'): { config: MwanConfig; warnings: LoadResult['warnings'] } {
  const r = loadConfig(dir);
  if (!r.config) throw new ConfigError(r.errors, r.warnings);
  return { config: r.config, warnings: r.warnings };
}
