/**
 * Which interfaces netifd-ts serves: `--interface NAME=DEVICE[,proto=P][,dns=ADDR]...` flags or a
 * JSON description `{"interfaces":[{"name","device","proto"?,"dns"?: []}]}`. Names follow
 * netifd's rules for interface names; devices Linux's for interface names.
 */
import { isIP } from 'node:net';
import { NetifdUsageError } from './errors.js';

export interface InterfaceSpec {
  /** netifd interface name (ubus object network.interface.<name>) */
  name: string;
  /** Linux device it is bound to */
  device: string;
  /** reported as `proto` (default "static") */
  proto: string;
  /** reported as `dns-server` */
  dns: string[];
}

const NAME_RE = /^[A-Za-z0-9_]{1,15}$/;
const DEVICE_RE = /^[A-Za-z0-9_.@:-]{1,15}$/;
const PROTO_RE = /^[a-z0-9_]{1,32}$/;

function check(where: string, spec: { name?: unknown; device?: unknown; proto?: unknown; dns?: unknown }): InterfaceSpec {
  if (typeof spec.name !== 'string' || !NAME_RE.test(spec.name)) throw new NetifdUsageError(`${where} name`, `interface name must be 1-15 of A-Z a-z 0-9 _, got ${JSON.stringify(spec.name)}`);
  if (typeof spec.device !== 'string' || !DEVICE_RE.test(spec.device) || spec.device === '.' || spec.device === '..') throw new NetifdUsageError(`${where} device`, `not a valid device name: ${JSON.stringify(spec.device)}`);
  const proto = spec.proto ?? 'static';
  if (typeof proto !== 'string' || !PROTO_RE.test(proto)) throw new NetifdUsageError(`${where} proto`, `not a valid proto name: ${JSON.stringify(proto)}`);
  const dns = spec.dns ?? [];
  if (!Array.isArray(dns) || dns.some((d) => typeof d !== 'string' || isIP(d) === 0)) throw new NetifdUsageError(`${where} dns`, 'must be a list of IP addresses');
  return { name: spec.name, device: spec.device, proto, dns: dns as string[] };
}

/** Parses one `--interface NAME=DEVICE[,proto=P][,dns=ADDR]...` value. */
export function parseInterfaceFlag(value: string): InterfaceSpec {
  const [head, ...opts] = value.split(',');
  const eq = head!.indexOf('=');
  if (eq < 0) throw new NetifdUsageError('--interface', `expected NAME=DEVICE, got ${JSON.stringify(value)}`);
  const spec: { name: string; device: string; proto?: string; dns: string[] } = { name: head!.slice(0, eq), device: head!.slice(eq + 1), dns: [] };
  for (const o of opts) {
    const [k, v] = [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)];
    if (k === 'proto') spec.proto = v;
    else if (k === 'dns') spec.dns.push(v);
    else throw new NetifdUsageError('--interface', `unknown option ${JSON.stringify(o)} (proto=, dns=)`);
  }
  return check(`--interface ${JSON.stringify(value)}`, spec);
}

/** Parses a JSON description; `file` names it in errors. */
export function parseDescription(text: string, file: string): InterfaceSpec[] {
  let doc: unknown;
  try { doc = JSON.parse(text); } catch (cause) { throw new NetifdUsageError(file, `not JSON: ${(cause as Error).message}`, { cause }); }
  const list = (doc as { interfaces?: unknown })?.interfaces;
  if (!Array.isArray(list)) throw new NetifdUsageError(file, 'expected {"interfaces": [...]}');
  return list.map((x, i) => check(`${file}: interfaces[${i}]`, (x ?? {}) as Record<string, unknown>));
}

/** Rejects duplicate names (devices may be shared, as netifd allows aliases). */
export function checkUnique(specs: InterfaceSpec[]): InterfaceSpec[] {
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new NetifdUsageError(`interface ${s.name}`, 'declared twice');
    seen.add(s.name);
  }
  return specs;
}
