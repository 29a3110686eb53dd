/**
 * UCI package → JSON document the schema validates, remembering where every value came from.
 * Values are converted by the option's kind; a value that does not convert stays a string so
 * the schema reports it as a type error. Unknown/deprecated options and sections become warnings.
 */
import type { UciOption, UciPackage, UciSection } from 'uci-js';
import { normalizePrefix, normalizeProtocol } from './normalize.js';
import { SECTIONS, SECTION_LISTS, type OptionDef, type SectionDef } from './options.js';
import type { IssueList } from './issues.js';

export type Json = Record<string, unknown>;

/** Where an option (and each of its list items, after comma splitting) was written. */
export interface Located {
  line: number;
  itemLines: number[];
  /** Value as written (first item for lists), for messages. */
  raw: string[];
}

export interface SectionRef {
  section: UciSection;
  options: Map<string, Located>;
}

export interface MwanDocument {
  globals: Json;
  interfaces: Json[];
  members: Json[];
  policies: Json[];
  rules: Json[];
}

export interface DocumentIndex {
  globals: SectionRef | null;
  interfaces: SectionRef[];
  members: SectionRef[];
  policies: SectionRef[];
  rules: SectionRef[];
}

const TRUE = new Set(['1', 'yes', 'on', 'true', 'enabled']);
const FALSE = new Set(['0', 'no', 'off', 'false', 'disabled']);

/**
 * Convert one UCI string by kind, mwan3's other spellings normalized (normalize.ts);
 * unconvertible values come back unchanged.
 */
export function convertValue(d: OptionDef, s: string): unknown {
  switch (d.kind) {
    case 'bool':
      if (TRUE.has(s)) return true;
      if (FALSE.has(s)) return false;
      return s;
    case 'int':
      return /^[+-]?\d+$/.test(s) ? Number(s) : s;
    case 'mask':
      if (/^0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s.slice(2), 16);
      return /^\d+$/.test(s) ? Number(s) : s;
    case 'number':
      return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : s;
    case 'enum':
      return d.aliases && Object.hasOwn(d.aliases, s) ? (d.aliases[s] as string) : s;
    case 'proto':
      return normalizeProtocol(s);
    case 'cidr':
      return normalizePrefix(s);
    default:
      return s;
  }
}

function optionItems(o: UciOption): { values: string[]; lines: number[] } {
  return o.type === 'list' ? { values: o.values, lines: o.lines } : { values: [o.value], lines: [o.line] };
}

function convertSection(def: SectionDef, s: UciSection, issues: IssueList, withName: boolean): { obj: Json; ref: SectionRef } {
  const obj: Json = withName ? { name: s.name } : {};
  const ref: SectionRef = { section: s, options: new Map() };
  for (const o of s.options) {
    const field = `${s.name}.${o.name}`;
    const d = def.options.find((x) => x.uci === o.name);
    if (!d) {
      const dep = def.deprecated.find((x) => x.uci === o.name);
      if (dep) issues.warn('WARN_MWAN_DEPRECATED_OPTION', o.line, field, `option '${o.name}' of ${def.type} is deprecated and ignored: ${dep.why}`);
      else issues.warn('WARN_MWAN_UNKNOWN_OPTION', o.line, field, `unknown option '${o.name}' in ${def.type} section '${s.name}' is ignored`);
      continue;
    }
    const { values, lines } = optionItems(o);
    if (!d.multi) {
      if (o.type === 'list') {
        issues.error('ERR_MWAN_NOT_A_LIST', o.line, field, `'${o.name}' takes a single value, not a list`);
        continue;
      }
      obj[d.uci] = convertValue(d, o.value);
      ref.options.set(d.uci, { line: o.line, itemLines: [o.line], raw: [o.value] });
      continue;
    }
    const items: string[] = [];
    const itemLines: number[] = [];
    values.forEach((v, i) => {
      const parts = d.multi === 'list+csv' ? v.split(',').map((x) => x.trim()) : [v];
      for (const p of parts) {
        items.push(p);
        itemLines.push(lines[i] ?? o.line);
      }
    });
    obj[d.uci] = items.map((v) => convertValue(d, v));
    ref.options.set(d.uci, { line: o.line, itemLines, raw: items });
  }
  return { obj, ref };
}

/** Build the document and its location index; structural problems go to `issues`. */
export function buildDocument(pkg: UciPackage, issues: IssueList): { doc: MwanDocument; index: DocumentIndex } {
  const doc: MwanDocument = { globals: {}, interfaces: [], members: [], policies: [], rules: [] };
  const index: DocumentIndex = { globals: null, interfaces: [], members: [], policies: [], rules: [] };
  for (const s of pkg.sections) {
    for (const line of s.redefined ?? []) {
      issues.error('ERR_MWAN_DUPLICATE_NAME', line, s.name, `section '${s.name}' is defined again (first at line ${s.line}); names must be unique`);
    }
    if (s.type === 'globals') {
      if (index.globals) {
        issues.warn('WARN_MWAN_MULTIPLE_GLOBALS', s.line, s.name, `only the first globals section (line ${index.globals.section.line}) is used`);
        continue;
      }
      if (s.name !== 'globals') issues.warn('WARN_MWAN_GLOBALS_NAME', s.line, s.name, `mwan3 reads only a globals section named 'globals'; this one is named '${s.name}'`);
      const { obj, ref } = convertSection(SECTIONS.globals, s, issues, false);
      doc.globals = obj;
      index.globals = ref;
      continue;
    }
    const entry = SECTION_LISTS.find(([t]) => t === s.type);
    if (!entry) {
      issues.warn('WARN_MWAN_UNKNOWN_SECTION', s.line, s.name, `unknown section type '${s.type}' is ignored`);
      continue;
    }
    const [type, list] = entry;
    if (s.anonymous) {
      if (type === 'interface') {
        issues.error('ERR_MWAN_ANONYMOUS_INTERFACE', s.line, s.name, 'an interface section must be named after its network interface');
      } else if (type === 'member' || type === 'policy') {
        issues.warn('WARN_MWAN_ANONYMOUS', s.line, s.name, `anonymous ${type} section gets the generated name '${s.name}', which nothing can refer to reliably`);
      }
    }
    const { obj, ref } = convertSection(SECTIONS[type], s, issues, true);
    doc[list].push(obj);
    index[list].push(ref);
  }
  return { doc, index };
}
