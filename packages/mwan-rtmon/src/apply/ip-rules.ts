/**
 * Reads the ip rules of both families (`ip -j -4|-6 rule list`, argument arrays, no shell) for
 * the stale-table check. Entries that do not parse are skipped.
 */
import { execFile } from 'node:child_process';
import type { IpRuleEntry } from '../plan/stale.js';

const TABLE_NAMES: Record<string, number> = { local: 255, main: 254, default: 253 };

export function parseIpRules(json: string): IpRuleEntry[] {
  const doc = JSON.parse(json) as unknown;
  if (!Array.isArray(doc)) throw new Error('ip -j rule list: not a list');
  const out: IpRuleEntry[] = [];
  for (const x of doc as Array<{ priority?: unknown; table?: unknown }>) {
    if (typeof x?.priority !== 'number') continue;
    const t = typeof x.table === 'string' ? (TABLE_NAMES[x.table] ?? (/^\d+$/.test(x.table) ? Number(x.table) : undefined)) : undefined;
    out.push(t === undefined ? { pref: x.priority } : { pref: x.priority, table: t });
  }
  return out;
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout)));
  });
}

export async function listIpRules(): Promise<IpRuleEntry[]> {
  const [v4, v6] = await Promise.all([run(['-j', '-4', 'rule', 'list']), run(['-j', '-6', 'rule', 'list'])]);
  return [...parseIpRules(v4), ...parseIpRules(v6)];
}
