/**
 * The lab's network, as data. A LAN client behind the router; the router has one uplink per WAN,
 * each to its own ISP namespace; every ISP connects to one shared "internet" namespace that holds
 * the same targets, reachable through every WAN, IPv4 and IPv6. Only documentation and
 * benchmarking ranges are used, and only inside namespaces the lab creates.
 */
export interface WanSpec {
  /** UCI interface name on the router (mwan3 style: wan, wanb, ...) */
  name: string;
  /** human label for the story */
  label: string;
  /** router-side device name */
  device: string;
  /** router address / prefix and the ISP gateway on the WAN link */
  v4: { addr: string; prefix: number; gw: string };
  v6: { addr: string; prefix: number; gw: string };
  /** ISP's address on its link to the internet namespace (it masquerades to it) */
  upstreamV4: { isp: string; inet: string; prefix: number };
  upstreamV6: { isp: string; inet: string; prefix: number };
  metric: number;
  weight: number;
}

/** The router's LAN device (OpenWrt's bridge name; here one end of the veth to the LAN client). */
export const ROUTER_LAN_DEVICE = 'br-lan';

export interface Topology {
  lan: { v4: { router: string; client: string; prefix: number }; v6: { router: string; client: string; prefix: number } };
  wans: WanSpec[];
  /** addresses held by the internet namespace: trackers probe these */
  targetsV4: string[];
  targetsV6: string[];
  /** the service LAN traffic goes to */
  serviceV4: string;
  serviceV6: string;
  servicePort: number;
}

export function defaultTopology(): Topology {
  const wan = (i: number, name: string, label: string, metric: number, weight: number): WanSpec => ({
    name,
    label,
    device: `wan${i}`,
    v4: { addr: `192.0.2.${i * 8 + 2}`, prefix: 29, gw: `192.0.2.${i * 8 + 1}` },
    v6: { addr: `2001:db8:${i}::2`, prefix: 64, gw: `2001:db8:${i}::1` },
    upstreamV4: { isp: `198.18.${i}.1`, inet: `198.18.${i}.2`, prefix: 30 },
    upstreamV6: { isp: `2001:db8:100:${i}::1`, inet: `2001:db8:100:${i}::2`, prefix: 64 },
    metric,
    weight,
  });
  return {
    lan: {
      v4: { router: '10.77.0.1', client: '10.77.0.2', prefix: 24 },
      v6: { router: 'fd77::1', client: 'fd77::2', prefix: 64 },
    },
    wans: [wan(1, 'fibre', 'fibre', 1, 3), wan(2, 'cable', 'cable', 1, 2), wan(3, 'lte', 'LTE', 2, 1)],
    targetsV4: ['198.51.100.1', '198.51.100.2'],
    targetsV6: ['2001:db8:ffff::1', '2001:db8:ffff::2'],
    serviceV4: '203.0.113.10',
    serviceV6: '2001:db8:eeee::10',
    servicePort: 7000,
  };
}

/** Which WAN a packet came through, from the source address the internet side saw. */
export function wanBySource(topo: Topology, source: string): WanSpec | undefined {
  const s = source.replace(/^::ffff:/, '');
  return topo.wans.find((w) => w.upstreamV4.isp === s || w.upstreamV6.isp === s);
}
