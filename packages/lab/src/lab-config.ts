/**
 * The router's /etc/config/mwan for the lab, in mwan3's own sections and options: every WAN
 * tracked against the internet namespace's targets, fibre and cable balanced 3:2 on metric 1,
 * LTE as the metric-2 backup, IPv4 and IPv6.
 */
import { ROUTER_LAN_DEVICE, type Topology } from './topology.js';

export interface TrackTiming {
  interval: number;
  failureInterval: number;
  recoveryInterval: number;
  timeout: number;
  down: number;
  up: number;
}

/** Fast enough to watch failover live; mwan3's defaults are interval 5, down 5, up 5. */
export const LAB_TIMING: TrackTiming = { interval: 0.5, failureInterval: 0.2, recoveryInterval: 0.5, timeout: 0.3, down: 3, up: 3 };

const q = (v: string | number): string => `'${String(v).replace(/'/g, `'\\''`)}'`;

export function labMwanConfig(topo: Topology, timing: TrackTiming = LAB_TIMING): string {
  const out: string[] = [];
  const section = (type: string, name: string, opts: [string, string | number | (string | number)[]][]) => {
    out.push('', `config ${type} ${q(name)}`);
    for (const [k, v] of opts) {
      if (Array.isArray(v)) for (const x of v) out.push(`\tlist ${k} ${q(x)}`);
      else out.push(`\toption ${k} ${q(v)}`);
    }
  };
  section('globals', 'globals', [['mmx_mask', '0x3F00'], ['logging', '0']]);
  for (const w of topo.wans) {
    for (const fam of ['ipv4', 'ipv6'] as const) {
      const name = fam === 'ipv4' ? w.name : `${w.name}6`;
      section('interface', name, [
        ['enabled', '1'],
        ['family', fam],
        ['track_method', 'ping'],
        ['track_ip', fam === 'ipv4' ? topo.targetsV4 : topo.targetsV6],
        ['reliability', 1],
        ['count', 1],
        ['timeout', timing.timeout],
        ['interval', timing.interval],
        ['failure_interval', timing.failureInterval],
        ['recovery_interval', timing.recoveryInterval],
        ['down', timing.down],
        ['up', timing.up],
        ['initial_state', 'online'],
        ['flush_conntrack', ['disconnected']],
      ]);
    }
  }
  for (const w of topo.wans) {
    section('member', `${w.name}_m${w.metric}_w${w.weight}`, [['interface', w.name], ['metric', w.metric], ['weight', w.weight]]);
    section('member', `${w.name}6_m${w.metric}_w${w.weight}`, [['interface', `${w.name}6`], ['metric', w.metric], ['weight', w.weight]]);
  }
  section('policy', 'balanced', [['use_member', topo.wans.map((w) => `${w.name}_m${w.metric}_w${w.weight}`)], ['last_resort', 'unreachable']]);
  section('policy', 'balanced6', [['use_member', topo.wans.map((w) => `${w.name}6_m${w.metric}_w${w.weight}`)], ['last_resort', 'unreachable']]);
  section('rule', 'default_v4', [['dest_ip', '0.0.0.0/0'], ['family', 'ipv4'], ['use_policy', 'balanced']]);
  section('rule', 'default_v6', [['dest_ip', '::/0'], ['family', 'ipv6'], ['use_policy', 'balanced6']]);
  return out.join('\n').trimStart() + '\n';
}

/**
 * The router's /etc/config/network equivalent for netifd-ts: UCI interface name → device. The
 * WANs, and `lan` as on OpenWrt (rules may name it in src_iface).
 */
export function labInterfaces(topo: Topology): { name: string; device: string }[] {
  return [
    ...topo.wans.flatMap((w) => [{ name: w.name, device: w.device }, { name: `${w.name}6`, device: w.device }]),
    { name: 'lan', device: ROUTER_LAN_DEVICE },
  ];
}
