/**
 * Validated document → typed model (camelCase names, defaults applied, legacy values mapped).
 * Only called when the schema and cross checks found no error.
 */
import { parsePortRange } from './schema.js';
import { SECTIONS, type SectionDef } from './options.js';
import type { DocumentIndex, Json, MwanDocument, SectionRef } from './document.js';
import type {
  FlushEvent,
  GlobalsConfig,
  InterfaceConfig,
  MemberConfig,
  MwanConfig,
  PolicyConfig,
  PortRange,
  RuleConfig,
  SourceLocation,
} from './types.js';

function camel(def: SectionDef, obj: Json): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of def.options) {
    const v = obj[d.uci] ?? d.default;
    out[d.key] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}

function loc(file: string, ref: SectionRef | null): SourceLocation | null {
  return ref ? { file, line: ref.section.line } : null;
}

function flushEvents(list: string[]): FlushEvent[] {
  const out = new Set<FlushEvent>();
  for (const e of list) {
    if (e === 'always') {
      out.add('ifup');
      out.add('ifdown');
    } else if (e !== 'never') out.add(e as FlushEvent);
  }
  return [...out];
}

function ports(list: string[]): PortRange[] {
  return list.map((p) => parsePortRange(p) as PortRange);
}

/** Build the model from a document that passed every check. */
export function buildModel(doc: MwanDocument, index: DocumentIndex, file: string): MwanConfig {
  const globals = { ...camel(SECTIONS.globals, doc.globals), source: loc(file, index.globals) } as unknown as GlobalsConfig;
  const interfaces = doc.interfaces.map((obj, i) => {
    const c = camel(SECTIONS.interface, obj);
    const interval = c.interval as number;
    return {
      ...c,
      name: obj.name as string,
      id: i + 1,
      failureInterval: (c.failureInterval as number | undefined) ?? interval,
      recoveryInterval: (c.recoveryInterval as number | undefined) ?? interval,
      flushConntrack: flushEvents(c.flushConntrack as string[]),
      source: loc(file, index.interfaces[i] as SectionRef),
    } as unknown as InterfaceConfig;
  });
  const members = doc.members.map(
    (obj, i) => ({ ...camel(SECTIONS.member, obj), name: obj.name, source: loc(file, index.members[i] as SectionRef) }) as unknown as MemberConfig,
  );
  const policies = doc.policies.map(
    (obj, i) => ({ ...camel(SECTIONS.policy, obj), name: obj.name, source: loc(file, index.policies[i] as SectionRef) }) as unknown as PolicyConfig,
  );
  const rules = doc.rules.map((obj, i) => {
    const c = camel(SECTIONS.rule, obj);
    return {
      ...c,
      name: obj.name as string,
      srcIface: (c.srcIface as string | undefined) ?? null,
      ipset: (c.ipset as string | undefined) ?? null,
      srcPort: ports(c.srcPort as string[]),
      destPort: ports(c.destPort as string[]),
      source: loc(file, index.rules[i] as SectionRef),
    } as unknown as RuleConfig;
  });
  return { globals, interfaces, members, policies, rules };
}
