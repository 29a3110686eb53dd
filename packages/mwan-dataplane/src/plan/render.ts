/**
 * Renders a desired table as nft text (what `nft list table inet mwan` would show, minus handles
 * and counters) and ip rules/routes as ip(8) command lines. For `mwan plan` and docs; pure.
 */
import { isIP } from 'node:net';
import type { Expr, Stmt } from 'nft-json';
import type { DesiredNft, DesiredState, IpRule, Route } from './types.js';

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

function expr(e: Expr, markCtx = false): string {
  if (typeof e === 'number') return markCtx ? hex(e) : String(e);
  // nft reads a word as a string only when it starts with a letter, '_' or '.': quote the rest
  // (e.g. a device "6in4-wan"); addresses are literals
  if (typeof e === 'string') return e.startsWith('@') || isIP(e) || /^[A-Za-z_.][A-Za-z0-9_./-]*$/.test(e) ? e : JSON.stringify(e);
  if (typeof e === 'boolean') return String(e);
  if (Array.isArray(e)) return e.map((x) => expr(x, markCtx)).join(' . ');
  const o = e as Record<string, any>;
  if (o.payload) return `${o.payload.protocol} ${o.payload.field}`;
  if (o.meta) return `meta ${o.meta.key}`;
  if (o.ct) return `ct ${o.ct.key}`;
  if (o.numgen) return `numgen ${o.numgen.mode} mod ${o.numgen.mod}`;
  if (o.jhash) return `jhash ${expr(o.jhash.expr)} mod ${o.jhash.mod} seed ${hex(o.jhash.seed ?? 0)}`;
  if (o.prefix) return `${o.prefix.addr}/${o.prefix.len}`;
  if (o.range) return `${expr(o.range[0], markCtx)}-${expr(o.range[1], markCtx)}`;
  if (o['&']) return `${expr(o['&'][0])} & ${expr(o['&'][1], true)}`;
  if (o['|']) return `${expr(o['|'][0])} | ${expr(o['|'][1], true)}`;
  if (o.set !== undefined) {
    const items = Array.isArray(o.set) ? o.set : [o.set];
    return `{ ${items.map((it: unknown) => (Array.isArray(it) && it.length === 2 && isVerdict(it[1]) ? `${expr(it[0] as Expr, markCtx)} : ${verdict(it[1])}` : expr(it as Expr, markCtx))).join(', ')} }`;
  }
  return JSON.stringify(e);
}

function isVerdict(x: unknown): boolean {
  return typeof x === 'object' && x !== null && ['accept', 'drop', 'return', 'jump', 'goto', 'continue'].some((k) => k in x);
}

function verdict(v: any): string {
  if (v.jump) return `jump ${v.jump.target}`;
  if (v.goto) return `goto ${v.goto.target}`;
  return Object.keys(v)[0]!;
}

function stmt(s: Stmt): string {
  const o = s as Record<string, any>;
  if (o.match) {
    const isMark = typeof o.match.left === 'object' && ('&' in o.match.left);
    const op = o.match.op === '==' ? '' : `${o.match.op} `;
    return `${expr(o.match.left)} ${op}${expr(o.match.right, isMark)}`;
  }
  if (o.mangle) return `${expr(o.mangle.key)} set ${expr(o.mangle.value)}`;
  if ('counter' in o) return 'counter';
  if (o.log) return `log prefix ${JSON.stringify(o.log.prefix ?? '')}${o.log.level ? ` level ${o.log.level}` : ''}`;
  if (o.vmap) return `${expr(o.vmap.key)} vmap ${expr(o.vmap.data, typeof o.vmap.key === 'object' && '&' in o.vmap.key)}`;
  if (o.set && o.set.op) return `${o.set.op} ${o.set.set} { ${expr(o.set.elem)} }`;
  if (isVerdict(o)) return verdict(o);
  return JSON.stringify(s);
}

export function renderNft(n: DesiredNft): string {
  const out: string[] = [`table ${n.family} ${n.table} {`];
  for (const s of n.sets) {
    out.push(`\tset ${s.name} {`, `\t\ttype ${s.type}`);
    if (s.flags?.length) out.push(`\t\tflags ${s.flags.join(',')}`);
    if (s.timeout) out.push(`\t\ttimeout ${s.timeout}s`);
    out.push('\t}', '');
  }
  for (const m of n.maps ?? []) {
    out.push(`\tmap ${m.name} {`, `\t\ttype ${m.type} : verdict`);
    if (m.elements.length) out.push(`\t\telements = { ${m.elements.map(([a, ch]) => `${a} : goto ${ch}`).join(', ')} }`);
    out.push('\t}', '');
  }
  for (const c of n.chains) {
    out.push(`\tchain ${c.name} {`);
    if (c.base) out.push(`\t\ttype ${c.base.type} hook ${c.base.hook} priority ${c.base.prio}; policy accept;`);
    for (const r of c.rules) out.push(`\t\t${r.expr.map(stmt).join(' ')}${r.label ? ` comment "${r.label}"` : ''}`);
    out.push('\t}', '');
  }
  if (out[out.length - 1] === '') out.pop();
  out.push('}');
  return out.join('\n') + '\n';
}

export function renderIpRule(r: IpRule): string {
  const parts = [r.family === 'ipv4' ? 'ip -4' : 'ip -6', 'rule add pref', String(r.pref)];
  if (r.iif) parts.push('iif', r.iif);
  if (r.fwmark) parts.push('fwmark', `0x${r.fwmark.mark.toString(16)}/0x${r.fwmark.mask.toString(16)}`);
  parts.push(r.action === 'lookup' ? `lookup ${r.table}` : r.action);
  return parts.join(' ');
}

export function renderRoute(r: Route): string {
  return [r.family === 'ipv4' ? 'ip -4' : 'ip -6', 'route replace default', ...(r.via ? ['via', r.via] : []), 'dev', r.dev, 'table', String(r.table)].join(' ');
}

export function renderDesired(d: DesiredState): string {
  return [
    '# nft', renderNft(d.nft),
    '# ip rules', ...d.ipRules.map(renderIpRule), '',
    '# routes (default route of each WAN table; other routes are mirrored by mwan-rtmon)', ...d.routes.map(renderRoute), '',
    ...(d.warnings.length ? ['# warnings', ...d.warnings.map((w) => `# ${w}`), ''] : []),
  ].join('\n');
}
