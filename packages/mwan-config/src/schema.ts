/**
 * The JSON Schema of an mwan config document, generated from the option table. The document is
 * the UCI config as JSON: `globals` plus ordered arrays of interface/member/policy/rule objects,
 * each carrying its section `name` and mwan3 option names with typed values.
 * config/mwan.schema.json is this schema written out (a test keeps them equal).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { PROTO_NAMES, SECTIONS, type OptionDef, type SectionDef } from './options.js';

type Json = Record<string, unknown>;

/** UCI section/option names. */
export const UCI_NAME_PATTERN = '^[A-Za-z0-9_]+$';
/** nft set names a rule may declare. */
export const SET_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,27}$';

function valueSchema(d: OptionDef): Json {
  switch (d.kind) {
    case 'bool':
      return { type: 'boolean' };
    case 'int':
    case 'mask': {
      const s: Json = { type: 'integer' };
      if (d.min !== undefined) s.minimum = d.min;
      if (d.max !== undefined) s.maximum = d.max;
      return s;
    }
    case 'number': {
      const s: Json = { type: 'number' };
      if (d.exclusiveMin !== undefined) s.exclusiveMinimum = d.exclusiveMin;
      if (d.min !== undefined) s.minimum = d.min;
      if (d.max !== undefined) s.maximum = d.max;
      return s;
    }
    case 'enum':
      return { type: 'string', enum: [...(d.values ?? [])] };
    case 'ip':
      return { type: 'string', format: 'ip-address' };
    case 'cidr':
      return { type: 'string', format: 'ip-prefix' };
    case 'port':
      return { type: 'string', format: 'port-range' };
    case 'proto':
      return { type: 'string', format: 'ip-protocol' };
    case 'setname':
      return { type: 'string', pattern: SET_NAME_PATTERN };
    case 'ifname':
    case 'string':
      return { type: 'string', pattern: UCI_NAME_PATTERN };
  }
}

function optionSchema(d: OptionDef): Json {
  const item = valueSchema(d);
  const s: Json = d.multi ? { type: 'array', items: item } : item;
  s.description = d.doc;
  if (d.default !== undefined) s.default = d.default;
  return s;
}

function sectionSchema(def: SectionDef, namePattern: string | null): Json {
  const properties: Json = {};
  if (namePattern !== null) properties.name = { type: 'string', pattern: namePattern, description: 'Section name.' };
  for (const d of def.options) properties[d.uci] = optionSchema(d);
  const required = [...(namePattern !== null ? ['name'] : []), ...def.options.filter((d) => d.required).map((d) => d.uci)];
  const s: Json = { type: 'object', properties, additionalProperties: false };
  if (required.length > 0) s.required = required;
  return s;
}

/** Build the schema (a fresh object each call). */
export function buildSchema(): Json {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/openwrt/mwan/config/mwan.schema.json',
    title: 'mwan configuration (/etc/config/mwan as JSON)',
    description: 'Generated from packages/mwan-config/src/options.ts; do not edit by hand.',
    type: 'object',
    properties: {
      globals: sectionSchema(SECTIONS.globals, null),
      interfaces: { type: 'array', items: sectionSchema(SECTIONS.interface, UCI_NAME_PATTERN) },
      members: { type: 'array', items: sectionSchema(SECTIONS.member, UCI_NAME_PATTERN) },
      policies: { type: 'array', items: sectionSchema(SECTIONS.policy, UCI_NAME_PATTERN) },
      rules: { type: 'array', items: sectionSchema(SECTIONS.rule, UCI_NAME_PATTERN) },
    },
    required: ['globals', 'interfaces', 'members', 'policies', 'rules'],
    additionalProperties: false,
  };
}

/** An IPv4 or IPv6 address. */
export function isIpAddress(s: string): boolean {
  return isIPv4(s) || isIPv6(s);
}

/** Family of an address or prefix, or null when it is neither. */
export function prefixFamily(s: string): 'ipv4' | 'ipv6' | null {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const fam = isIPv4(addr) ? 'ipv4' : isIPv6(addr) ? 'ipv6' : null;
  if (fam === null) return null;
  if (slash < 0) return fam;
  const len = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(len)) return null;
  return Number(len) <= (fam === 'ipv4' ? 32 : 128) ? fam : null;
}

/** `80`, `1000-2000` or `1000:2000`, ports 0-65535, low ≤ high. */
export function parsePortRange(s: string): { from: number; to: number } | null {
  const m = /^(\d{1,5})(?:[-:](\d{1,5}))?$/.exec(s);
  if (!m) return null;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from > 65535 || to > 65535 || from > to) return null;
  return { from, to };
}

/** `all`, a known protocol name, or 0-255. */
export function isProtocol(s: string): boolean {
  if (s === 'all') return true;
  if (/^\d{1,3}$/.test(s)) return Number(s) <= 255;
  return (PROTO_NAMES as readonly string[]).includes(s);
}

/** Formats the schema uses, for ajv's addFormat. */
export const FORMATS: Record<string, (s: string) => boolean> = {
  'ip-address': isIpAddress,
  'ip-prefix': (s) => prefixFamily(s) !== null,
  'port-range': (s) => parsePortRange(s) !== null,
  'ip-protocol': isProtocol,
};
