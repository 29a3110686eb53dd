/**
 * Runs the ajv schema over the document (all errors, defaults filled in) and turns each ajv
 * error into an issue at the file:line of the offending option or list item.
 */
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { buildSchema, FORMATS } from './schema.js';
import { dottedNetmask } from './normalize.js';
import { SECTIONS, SECTION_LISTS, type OptionDef } from './options.js';
import type { DocumentIndex, MwanDocument, SectionRef } from './document.js';
import type { IssueList } from './issues.js';

// ajv ships CommonJS with a default export; under NodeNext the class sits on `.default`.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as unknown as typeof AjvModule.default;

let compiled: ValidateFunction | null = null;

/** The compiled validator (built once). */
export function schemaValidator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
  for (const [name, fn] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate: fn });
  compiled = ajv.compile(buildSchema());
  return compiled;
}

const CODE: Record<string, string> = {
  type: 'ERR_MWAN_TYPE',
  minimum: 'ERR_MWAN_RANGE',
  maximum: 'ERR_MWAN_RANGE',
  exclusiveMinimum: 'ERR_MWAN_RANGE',
  enum: 'ERR_MWAN_ENUM',
  format: 'ERR_MWAN_FORMAT',
  pattern: 'ERR_MWAN_NAME',
  required: 'ERR_MWAN_REQUIRED',
};

const FORMAT_TEXT: Record<string, string> = {
  'ip-address': 'an IPv4 or IPv6 address',
  'ip-prefix': 'an IPv4/IPv6 address or prefix (a.b.c.d/len, a.b.c.d/netmask)',
  'port-range': 'a port or port range (0-65535, low-high)',
  'ip-protocol': "'all', a protocol name (tcp, udp, icmp, ...) or a number 0-255",
};

/** A DNS, service or table name where a number or address belongs. */
const NAME_LIKE = /^[A-Za-z0-9.-]*[A-Za-z][A-Za-z0-9.-]*$/;

function optionDef(list: string | undefined, option: string | undefined): OptionDef | undefined {
  if (list === undefined || option === undefined) return undefined;
  const type = list === 'globals' ? 'globals' : SECTION_LISTS.find(([, l]) => l === list)?.[0];
  return type ? SECTIONS[type].options.find((d) => d.uci === option) : undefined;
}

function describe(e: ErrorObject, value: unknown, def: OptionDef | undefined): string {
  const text = describeValue(e, value);
  if (e.keyword === 'enum' && def?.aliases) return `${text} (or ${Object.keys(def.aliases).join(', ')})`;
  const hint = def?.nameHint;
  if (hint && (e.keyword === 'type' || e.keyword === 'format') && typeof value === 'string' && NAME_LIKE.test(value)) return `${text}; ${hint}`;
  return text;
}

function describeValue(e: ErrorObject, value: unknown): string {
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  switch (e.keyword) {
    case 'type': {
      const t = String((e.params as { type: string }).type);
      const what = t === 'boolean' ? 'a boolean (0/1)' : t === 'integer' ? 'an integer' : t === 'number' ? 'a number' : `of type ${t}`;
      return `${shown} is not ${what}`;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum': {
      const p = e.params as { comparison: string; limit: number };
      return `${shown} is out of range (must be ${p.comparison} ${p.limit})`;
    }
    case 'enum':
      return `${shown} is not one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    case 'format': {
      const format = (e.params as { format: string }).format;
      // a contiguous dotted netmask was already turned into /len; what is left has holes
      const dotted = format === 'ip-prefix' && typeof value === 'string' ? dottedNetmask(value) : null;
      if (dotted) return `${shown} has the non-contiguous netmask ${dotted.mask}: only a netmask of leading ones (255.255.255.0 = /24) can be matched`;
      return `${shown} is not ${FORMAT_TEXT[format] ?? 'valid'}`;
    }
    case 'pattern':
      return `${shown} is not a valid name (letters, digits and _ only)`;
    default:
      return e.message ?? 'invalid';
  }
}

function at(doc: MwanDocument, path: string[]): unknown {
  let v: unknown = doc;
  for (const p of path) v = (v as Record<string, unknown> | unknown[] | undefined)?.[p as never];
  return v;
}

/** Validate in place (filling defaults); returns true when the schema found nothing. */
export function validateDocument(doc: MwanDocument, index: DocumentIndex, issues: IssueList): boolean {
  const validate = schemaValidator();
  if (validate(doc)) return true;
  for (const e of validate.errors ?? []) {
    const path = e.instancePath.split('/').slice(1);
    const value = at(doc, path);
    const [list, idx, option, item] = path;
    let ref: SectionRef | null = null;
    if (list === 'globals') ref = index.globals;
    else if (list !== undefined && idx !== undefined) ref = (index as unknown as Record<string, SectionRef[]>)[list]?.[Number(idx)] ?? null;
    const optName = list === 'globals' ? idx : option;
    const itemIdx = list === 'globals' ? option : item;
    const code = CODE[e.keyword] ?? 'ERR_MWAN_INVALID';
    if (!ref) {
      issues.error(code, 0, optName ?? null, describe(e, value, undefined));
      continue;
    }
    const sname = ref.section.name;
    if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      issues.error(code, ref.section.line, `${sname}.${missing}`, `${ref.section.type} '${sname}' needs option '${missing}'`);
      continue;
    }
    if (optName === undefined || optName === 'name') {
      issues.error(code, ref.section.line, sname, `${ref.section.type} name ${describe(e, value, undefined)}`);
      continue;
    }
    const loc = ref.options.get(optName);
    const line = loc ? (itemIdx !== undefined ? (loc.itemLines[Number(itemIdx)] ?? loc.line) : loc.line) : ref.section.line;
    issues.error(code, line, `${sname}.${optName}`, `${optName}: ${describe(e, value, optionDef(list, optName))}`);
  }
  return false;
}
