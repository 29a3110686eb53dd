/**
 * `<config>[.<section>[.<option>]][=<value>]` tuples (util.c uci_parse_ptr) and their lookup
 * (list.c uci_lookup_ptr), including the extended `@type[N]` / `@type[-N]` / `@[N]` section syntax.
 */
import { UciError } from './errors.js';
import { isValidName, isValidPackageName, isValidText, isValidType } from './names.js';
import type { UciPackage, UciSection } from './model.js';
import type { ResolvedPtr } from './ops.js';

export interface UciPtr {
  package: string;
  section: string | null;
  option: string | null;
  value: string | null;
  /** The section part is not a plain name: resolve it as `@type[N]`. */
  extended: boolean;
}

/** Split a tuple; throws ERR_UCI_PARSE when it is malformed (as uci_parse_ptr does). */
export function parsePtr(str: string): UciPtr {
  let rest = str;
  let value: string | null = null;
  const eq = rest.indexOf('=');
  if (eq >= 0) {
    value = rest.slice(eq + 1);
    rest = rest.slice(0, eq);
  }
  const parts = rest.split('.');
  if (parts.length > 3) throw new UciError('ERR_UCI_PARSE');
  const [pkg, section = null, option = null] = parts as [string, string?, string?];
  if (!isValidPackageName(pkg)) throw new UciError('ERR_UCI_PARSE');
  if (option !== null && !isValidName(option)) throw new UciError('ERR_UCI_PARSE');
  if (value !== null && !isValidText(value)) throw new UciError('ERR_UCI_PARSE');
  return { package: pkg, section, option, value, extended: section !== null && !isValidName(section) };
}

/** Resolve `@type[N]` (N may be negative: from the end); null when there is no such section. */
export function lookupExtendedSection(p: UciPackage, ref: string): UciSection | null {
  const m = /^@([^[]*)\[([^\]]*)\]$/.exec(ref);
  if (!m) throw new UciError('ERR_UCI_INVAL');
  const type = m[1] === '' ? null : (m[1] as string);
  const idxText = m[2] as string;
  if (idxText !== '' && !/^\s*[+-]?\d+$/.test(idxText)) throw new UciError('ERR_UCI_INVAL');
  if (type !== null && !isValidType(type)) throw new UciError('ERR_UCI_INVAL');
  const matching = p.sections.filter((s) => type === null || s.type === type);
  let idx = idxText === '' ? 0 : Number.parseInt(idxText, 10);
  if (idx < 0) idx += matching.length;
  return matching[idx] ?? null;
}

/** uci_lookup_ptr on a loaded package. */
export function resolvePtr(p: UciPackage, ptr: UciPtr, extended = true): ResolvedPtr {
  const r: ResolvedPtr = { p, section: ptr.section, option: ptr.option, value: ptr.value, s: null, o: null, complete: false };
  if (ptr.section === null) {
    r.complete = true;
    return r;
  }
  let s: UciSection | null;
  if (ptr.extended) {
    if (!extended) throw new UciError('ERR_UCI_INVAL');
    s = lookupExtendedSection(p, ptr.section);
    if (s) r.section = s.name;
  } else {
    s = p.sections.find((x) => x.name === ptr.section) ?? null;
  }
  if (!s) return r;
  r.s = s;
  if (ptr.option !== null) {
    const o = s.options.find((x) => x.name === ptr.option) ?? null;
    if (!o) return r;
    r.o = o;
  }
  r.complete = true;
  return r;
}
