/**
 * The applier's gate: the whole desired state (nft part and ip part) is checked before anything is
 * changed, so a bad value in the ip part can never leave an nft change applied without it.
 * plan() already refuses bad state values; this also covers desired states built or altered
 * elsewhere. Pure.
 */
import { isIP } from 'node:net';
import { ApplyError } from '../errors.js';
import { TABLE } from '../plan/names.js';
import type { DesiredState, IpFamily } from '../plan/types.js';
import { isValidDeviceName, isValidGateway } from '../plan/validate.js';

const FAMILIES: ReadonlySet<string> = new Set(['ipv4', 'ipv6']);
const NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const u32 = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffffffff;

function bad(where: string, value: unknown, why: string): never {
  throw new ApplyError('APPLY_BAD_DESIRED', `desired state: ${where} ${JSON.stringify(value)} ${why}; nothing applied`);
}

const isDeviceMeta = (e: unknown): boolean => {
  const m = (e as { meta?: { key?: unknown } } | null)?.meta;
  return typeof e === 'object' && e !== null && (m?.key === 'iifname' || m?.key === 'oifname');
};

/** Interface names compared against meta iifname/oifname (plain match or vmap keys). */
function checkDeviceOperand(where: string, right: unknown): void {
  const items = typeof right === 'object' && right !== null && 'set' in right ? ([] as unknown[]).concat((right as { set: unknown }).set) : [right];
  for (const it of items) {
    const key = Array.isArray(it) && it.length === 2 ? it[0] : it;
    if (!isValidDeviceName(key)) bad(where, key, 'is not a valid interface name');
  }
}

export function checkDesired(d: DesiredState): void {
  if (!u32(d.mask) || d.mask === 0) bad('mask', d.mask, 'is not a 32-bit mask');
  if (d.nft.family !== TABLE.family || d.nft.table !== TABLE.table) bad('nft table', `${d.nft.family} ${d.nft.table}`, `is not ${TABLE.family} ${TABLE.table}`);
  for (const s of d.nft.sets) if (!NAME.test(s.name)) bad('nft set name', s.name, 'is not a valid name');
  const chainNames = new Set(d.nft.chains.map((c) => c.name));
  for (const m of d.nft.maps ?? []) {
    if (!NAME.test(m.name)) bad('nft map name', m.name, 'is not a valid name');
    if (m.type !== 'ipv4_addr' && m.type !== 'ipv6_addr') bad(`nft map ${m.name}: type`, m.type, 'is not ipv4_addr or ipv6_addr');
    const seen = new Set<string>();
    for (const [a, ch] of m.elements) {
      if (isIP(a) !== (m.type === 'ipv4_addr' ? 4 : 6)) bad(`nft map ${m.name}: element`, a, `is not an ${m.type === 'ipv4_addr' ? 'IPv4' : 'IPv6'} address`);
      if (seen.has(a)) bad(`nft map ${m.name}: element`, a, 'is listed twice');
      seen.add(a);
      if (!chainNames.has(ch)) bad(`nft map ${m.name}: element ${a} target`, ch, 'is not a chain of the table');
    }
  }
  for (const c of d.nft.chains) {
    if (!NAME.test(c.name)) bad('nft chain name', c.name, 'is not a valid name');
    for (const r of c.rules) {
      for (const st of r.expr) {
        const o = st as Record<string, { left?: unknown; right?: unknown; key?: unknown; data?: unknown }>;
        if (o.match && isDeviceMeta(o.match.left)) checkDeviceOperand(`nft chain ${c.name}: interface`, o.match.right);
        if (o.vmap && isDeviceMeta(o.vmap.key)) checkDeviceOperand(`nft chain ${c.name}: interface`, o.vmap.data);
      }
    }
  }
  for (const w of d.wans) if (w.device !== undefined && !isValidDeviceName(w.device)) bad(`wan '${w.name}': device`, w.device, 'is not a valid interface name');
  for (const r of d.ipRules) {
    const where = `ip rule pref ${String(r.pref)}`;
    if (!FAMILIES.has(r.family)) bad(`${where}: family`, r.family, 'is not ipv4 or ipv6');
    if (!Number.isInteger(r.pref) || r.pref < 1 || r.pref > 32765) bad(`${where}: pref`, r.pref, 'is not 1..32765');
    if (r.iif !== undefined && !isValidDeviceName(r.iif)) bad(`${where}: iif`, r.iif, 'is not a valid interface name');
    if (r.fwmark && (!u32(r.fwmark.mark) || !u32(r.fwmark.mask))) bad(`${where}: fwmark`, r.fwmark, 'is not a 32-bit mark/mask');
    if (!['lookup', 'unreachable', 'blackhole'].includes(r.action)) bad(`${where}: action`, r.action, 'is not lookup, unreachable or blackhole');
    if (r.action === 'lookup' && (!u32(r.table) || r.table === 0)) bad(`${where}: table`, r.table, 'is not a table number');
  }
  for (const r of d.routes) {
    const where = `route table ${String(r.table)}`;
    if (!FAMILIES.has(r.family)) bad(`${where}: family`, r.family, 'is not ipv4 or ipv6');
    if (!u32(r.table) || r.table === 0) bad(`${where}: table`, r.table, 'is not a table number');
    if (r.dst !== 'default') bad(`${where}: dst`, r.dst, 'is not default');
    if (!isValidDeviceName(r.dev)) bad(`${where}: dev`, r.dev, 'is not a valid interface name');
    if (r.via !== undefined && !isValidGateway(r.via, r.family as IpFamily)) bad(`${where}: via`, r.via, `is not an ${r.family} address`);
  }
}
