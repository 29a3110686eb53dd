/**
 * mwan3's text output, rebuilt from mwand's replies (docs/ubus-api.md shapes). Pure: reply in,
 * text out, so it is tested without a bus.
 */

type Rec = Record<string, unknown>;

/** mwan3's HHh:MMm:SSs */
export function hms(totalS: number): string {
  const s = Math.max(0, Math.floor(totalS));
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(Math.floor(s / 3600))}h:${p(Math.floor((s % 3600) / 60))}m:${p(s % 60)}s`;
}

/** `mwan3 interfaces`, from the `status` reply's interfaces. */
export function formatInterfaces(interfaces: Rec): string {
  const lines = ['Interface status:'];
  for (const [name, raw] of Object.entries(interfaces)) {
    const i = raw as Rec;
    const status = String(i.status ?? 'unknown');
    const tracking = String(i.tracking ?? 'down');
    if (status === 'online') lines.push(` interface ${name} is online ${hms(Number(i.online ?? 0))}, uptime ${hms(Number(i.uptime ?? 0))} and tracking is ${tracking}`);
    else lines.push(` interface ${name} is ${status} and tracking is ${tracking}`);
  }
  return lines.join('\n') + '\n\n';
}

/** `mwan3 policies`, from the `policies` reply. */
export function formatPolicies(policies: Rec): string {
  const out: string[] = [];
  for (const family of ['ipv4', 'ipv6']) {
    out.push(`Current ${family} policies:`);
    for (const name of Object.keys(policies).sort()) {
      const p = (policies[name] as Rec)[family] as Rec | undefined;
      if (!p) continue;
      out.push(`${name}:`);
      const members = (p.members as Rec[] | undefined) ?? [];
      if (members.length === 0) out.push(` ${String(p.last_resort ?? 'unreachable')}`);
      for (const m of members) out.push(` ${String(m.interface)} (${Number(m.percent)}%)`);
    }
    out.push('');
  }
  return out.join('\n') + '\n';
}

/** `mwan3 connected`, from the `connected` reply. */
export function formatConnected(connected: Rec): string {
  const out: string[] = [];
  for (const family of ['ipv4', 'ipv6']) {
    out.push(`Directly connected ${family} networks:`);
    for (const n of (connected[family] as string[] | undefined) ?? []) out.push(n);
    out.push('');
  }
  return out.join('\n') + '\n';
}

function list(v: unknown, any: string): string {
  const a = Array.isArray(v) ? (v as string[]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean) : [];
  const fam = any;
  return a.length === 0 ? fam : a.join(',');
}

function matchesFamily(addrs: unknown, family: string): boolean {
  const a = Array.isArray(addrs) ? (addrs as string[]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean) : [];
  if (a.length === 0) return true;
  return a.some((x) => (family === 'ipv6') === x.includes(':'));
}

/**
 * `mwan3 rules`: one line per user rule and family in iptables -L -v's columns (packets, bytes,
 * S for sticky rules / - for policies, target, proto, addresses, ports). Counters cover the
 * rule in both families together (nftables counts the rule once).
 */
export function formatRules(rules: Rec[]): string {
  const out: string[] = [];
  for (const family of ['ipv4', 'ipv6']) {
    out.push(`Active ${family} user rules:`);
    const any = family === 'ipv4' ? '0.0.0.0/0' : '::/0';
    for (const r of rules) {
      if (r.family !== 'any' && r.family !== family) continue;
      if (!matchesFamily(r.src_ip, family) || !matchesFamily(r.dest_ip, family)) continue;
      const pk = r.packets === null || r.packets === undefined ? '-' : String(r.packets);
      const by = r.bytes === null || r.bytes === undefined ? '-' : String(r.bytes);
      const target = r.sticky ? `S ${String(r.name)}` : `- ${String(r.policy)}`;
      const proto = String(r.proto ?? 'all');
      const onlyFamily = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((x) => x && (family === 'ipv6') === x.includes(':')) : []);
      const src = list(onlyFamily(r.src_ip), any);
      const dst = list(onlyFamily(r.dest_ip), any);
      const ports: string[] = [];
      const sp = (r.src_port as string[] | undefined) ?? [];
      const dp = (r.dest_port as string[] | undefined) ?? [];
      if (sp.length) ports.push(`multiport sports ${sp.join(',').replace(/-/g, ':')}`);
      if (dp.length) ports.push(`multiport dports ${dp.join(',').replace(/-/g, ':')}`);
      if (r.src_iface) ports.push(`iif ${String(r.src_iface)}`);
      if (r.ipset) ports.push(`match-set ${String(r.ipset)} dst`);
      out.push(`${pk.padStart(5)} ${by.padStart(5)} ${target.padEnd(10)} ${proto.padEnd(4)} ${'*'.padEnd(6)} ${'*'.padEnd(6)} ${src.padEnd(20)} ${dst.padEnd(20)} ${ports.join(' ')}`.trimEnd());
    }
    out.push('');
  }
  return out.join('\n') + '\n';
}

/** `mwan explain` in words. */
export function formatExplain(e: Rec): string {
  const flow = `${String(e.src)} -> ${String(e.dst)}${e.proto && e.proto !== 'all' ? ` ${String(e.proto)}` : ''}${e.port !== undefined ? ` port ${String(e.port)}` : ''}`
    + `${e.src_iface !== undefined ? ` in on ${String(e.src_iface)}` : ''}`;
  const out = [`Flow ${flow} (${String(e.family)}):`];
  for (const s of (e.skipped as Rec[] | undefined) ?? []) {
    out.push(` rule ${String(s.rule)} ${s.evaluated === false ? 'not evaluated, passed over' : 'does not match'}: ${String(s.reason)}`);
  }
  for (const r of (e.reasons as string[] | undefined) ?? []) out.push(` ${r}`);
  const ifs = (e.interfaces as Rec[] | undefined) ?? [];
  let result: string;
  switch (e.action) {
    case 'interface':
      result = `${String(ifs[0]?.interface)}${ifs[0]?.device ? ` (${String(ifs[0].device)})` : ''}`;
      break;
    case 'balance':
      result = ifs.map((i) => `${String(i.interface)} ${Number(i.percent)}%`).join(', ');
      break;
    case 'default':
      result = 'main routing table (no mwan policy)';
      break;
    default:
      result = String(e.action);
  }
  out.push(`Result: ${result}`);
  return out.join('\n') + '\n';
}
