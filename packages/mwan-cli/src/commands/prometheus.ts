/** mwand's `metrics` reply → Prometheus text exposition format (version 0.0.4). Pure. */

type Rec = Record<string, unknown>;

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(l: Record<string, string>): string {
  const e = Object.entries(l);
  return e.length === 0 ? '' : `{${e.map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;
}

class Exposition {
  private readonly families = new Map<string, { help: string; type: string; samples: string[] }>();
  add(name: string, type: 'gauge' | 'counter', help: string, l: Record<string, string>, value: unknown): void {
    if (typeof value === 'boolean') value = value ? 1 : 0;
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    let f = this.families.get(name);
    if (!f) this.families.set(name, (f = { help, type, samples: [] }));
    f.samples.push(`${name}${labels(l)} ${value}`);
  }
  text(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`, ...f.samples);
    return out.join('\n') + '\n';
  }
}

const CONTROLLER_HELP: Record<string, [string, 'gauge' | 'counter']> = {
  events: ['Bus events received by mwand', 'counter'],
  batches: ['Event batches processed', 'counter'],
  applies: ['Dataplane applies', 'counter'],
  apply_errors: ['Failed dataplane plans or applies', 'counter'],
  last_apply_ms: ['Duration of the last apply in milliseconds', 'gauge'],
  max_apply_ms: ['Duration of the slowest apply in milliseconds', 'gauge'],
  reloads: ['Configuration reloads requested', 'counter'],
  reload_errors: ['Configuration reloads rejected', 'counter'],
  reload_noops: ['Configuration reloads that changed nothing', 'counter'],
  hooks: ['Hooks run', 'counter'],
  hook_failures: ['Hooks that failed', 'counter'],
  hook_timeouts: ['Hooks killed at their timeout', 'counter'],
  tracker_starts: ['Tracker instances added at procd', 'counter'],
  tracker_replaces: ['Tracker instances replaced at procd', 'counter'],
  tracker_stops: ['Tracker instances deleted at procd', 'counter'],
  transitions: ['Interface status changes', 'counter'],
  uptime_s: ['Seconds since mwand started', 'gauge'],
};

export function toPrometheus(m: Rec): string {
  const x = new Exposition();
  for (const [k, v] of Object.entries((m.controller as Rec | undefined) ?? {})) {
    const [help, type] = CONTROLLER_HELP[k] ?? [`mwand ${k}`, 'gauge'];
    const base = k.replace(/_s$/, '_seconds').replace(/_ms$/, '_milliseconds');
    x.add(`mwand_${base}${type === 'counter' ? '_total' : ''}`, type, help, {}, v);
  }
  for (const [name, raw] of Object.entries((m.interfaces as Rec | undefined) ?? {})) {
    const i = raw as Rec;
    const l = { interface: name };
    x.add('mwan_interface_usable', 'gauge', 'Interface carries traffic (1) or not (0)', l, i.usable);
    x.add('mwan_interface_up', 'gauge', 'netifd has the interface up and it is not administratively down', l, i.up);
    x.add('mwan_interface_enabled', 'gauge', 'Interface enabled in the configuration', l, i.enabled);
    for (const s of ['online', 'offline', 'connecting', 'disconnecting', 'disabled']) {
      x.add('mwan_interface_status', 'gauge', 'Interface status (1 for the current one)', { ...l, status: s }, i.status === s ? 1 : 0);
    }
    x.add('mwan_interface_score', 'gauge', 'Tracker score', l, i.score);
    x.add('mwan_interface_lost', 'gauge', 'Tracker: probes lost in the last round', l, i.lost);
    x.add('mwan_interface_turn', 'gauge', 'Tracker: rounds done', l, i.turn);
    x.add('mwan_interface_latency_milliseconds', 'gauge', 'Measured latency', l, i.latency_ms);
    x.add('mwan_interface_loss_percent', 'gauge', 'Measured loss', l, i.loss_pct);
    x.add('mwan_interface_online_seconds', 'gauge', 'Seconds since the interface became usable (0 when not usable)', l, i.online);
    x.add('mwan_interface_offline_seconds', 'gauge', 'Seconds since the interface became unusable (0 when usable)', l, i.offline);
    x.add('mwan_interface_uptime_seconds', 'gauge', 'netifd uptime of the interface', l, i.uptime);
  }
  for (const [policy, raw] of Object.entries((m.policies as Rec | undefined) ?? {})) {
    for (const family of ['ipv4', 'ipv6']) {
      const p = (raw as Rec)[family] as Rec | undefined;
      if (!p) continue;
      x.add('mwan_policy_last_resort', 'gauge', 'Policy has no usable member and uses its last resort', { policy, family }, p.active === 'last_resort' ? 1 : 0);
      for (const mem of (p.members as Rec[] | undefined) ?? []) {
        x.add('mwan_policy_share_percent', 'gauge', 'Share of new connections per member', { policy, family, interface: String(mem.interface) }, mem.percent);
      }
    }
  }
  for (const [rule, raw] of Object.entries((m.rules as Rec | undefined) ?? {})) {
    const r = raw as Rec;
    x.add('mwan_rule_packets_total', 'counter', 'Packets matched by a user rule', { rule }, r.packets);
    x.add('mwan_rule_bytes_total', 'counter', 'Bytes matched by a user rule', { rule }, r.bytes);
  }
  return x.text();
}
