/** ip(8) batch lines and `ip -j` parsing for rules and routes. */
import { isIP } from 'node:net';
import { ApplyError } from '../errors.js';
import type { IpFamily, IpRule } from '../plan/types.js';
import type { ActualRoute, IpOp } from './backend.js';

const DEV = /^[A-Za-z0-9_.:@-]{1,15}$/;
const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

function dev(name: string): string {
  if (!DEV.test(name)) throw new ApplyError('APPLY_IP_FAILED', `invalid device name ${JSON.stringify(name)}`);
  return name;
}

/** One line for `ip -4|-6 -batch -` (fields validated; nothing is passed to a shell). */
export function ipBatchLine(op: IpOp): string {
  if ('rule' in op) {
    const r = op.rule;
    const parts = ['rule', op.op, 'pref', String(r.pref)];
    if (r.iif) parts.push('iif', dev(r.iif));
    if (r.fwmark) parts.push('fwmark', `${hex(r.fwmark.mark)}/${hex(r.fwmark.mask)}`);
    if (r.action === 'lookup') parts.push('lookup', String(r.table));
    else parts.push(r.action);
    return parts.join(' ');
  }
  const r = op.route;
  const parts = ['route', op.op === 'add' ? 'replace' : 'del', 'default'];
  if (r.via) {
    if (!isIP(r.via)) throw new ApplyError('APPLY_IP_FAILED', `invalid gateway ${JSON.stringify(r.via)}`);
    parts.push('via', r.via);
  }
  parts.push('dev', dev(r.dev), 'table', String(r.table));
  if (op.op === 'del' && r.metric !== undefined) parts.push('metric', String(r.metric));
  return parts.join(' ');
}

/** `ip -j -4|-6 rule list` -> rules (only those expressible as IpRule). */
export function parseIpRules(family: IpFamily, json: string): IpRule[] {
  const out: IpRule[] = [];
  for (const x of JSON.parse(json || '[]') as Array<Record<string, unknown>>) {
    if (typeof x.priority !== 'number') continue;
    const action = x.action === 'unreachable' || x.action === 'blackhole' ? x.action : 'lookup';
    const r: IpRule = { family, pref: x.priority, action };
    if (typeof x.iif === 'string') r.iif = x.iif;
    if (typeof x.fwmark === 'string') r.fwmark = { mark: Number(x.fwmark), mask: typeof x.fwmask === 'string' ? Number(x.fwmask) : 0xffffffff };
    if (action === 'lookup') {
      const t = Number(x.table);
      if (!Number.isInteger(t)) continue; // named tables (main, local...) are never ours
      r.table = t;
    }
    out.push(r);
  }
  return out;
}

/** `ip -j -4|-6 route show table all default` -> default routes of numbered tables. */
export function parseDefaultRoutes(family: IpFamily, json: string): ActualRoute[] {
  const out: ActualRoute[] = [];
  for (const x of JSON.parse(json || '[]') as Array<Record<string, unknown>>) {
    if (x.dst !== 'default' || typeof x.dev !== 'string') continue;
    const t = Number(x.table);
    if (!Number.isInteger(t)) continue;
    out.push({
      family, table: t, dst: 'default', dev: x.dev,
      ...(typeof x.gateway === 'string' ? { via: x.gateway } : {}),
      ...(typeof x.metric === 'number' ? { metric: x.metric } : {}),
    });
  }
  return out;
}
