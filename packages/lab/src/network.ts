/**
 * Builds the lab topology in network namespaces (effects). The router namespace gets addresses,
 * main-table default routes per WAN (as netifd would install them, with metrics) and a NAT
 * table of its own (`inet labfw`, standing in for fw4 — mwan must coexist with it). ISPs
 * masquerade to the internet namespace, so the internet side can tell which WAN a packet used.
 */
import { Lab, type Netns } from 'netns-kit';
import { ROUTER_LAN_DEVICE, type Topology, type WanSpec } from './topology.js';

export interface LabNet {
  lab: Lab;
  lan: Netns;
  router: Netns;
  isps: Map<string, Netns>;
  inet: Netns;
}

export function buildNetwork(topo: Topology, prefix = 'mwl'): LabNet {
  const lab = new Lab(prefix);
  try {
    const lan = lab.netns('lan');
    const router = lab.netns('rtr');
    const inet = lab.netns('inet');
    const isps = new Map<string, Netns>();

    for (const ns of [router, ...[]]) {
      ns.sysctl('net.ipv4.ip_forward', '1');
      ns.sysctl('net.ipv6.conf.all.forwarding', '1');
    }
    // LAN
    lab.link(lan, 'eth0', router, ROUTER_LAN_DEVICE, {
      a: [`${topo.lan.v4.client}/${topo.lan.v4.prefix}`, `${topo.lan.v6.client}/${topo.lan.v6.prefix}`],
      b: [`${topo.lan.v4.router}/${topo.lan.v4.prefix}`, `${topo.lan.v6.router}/${topo.lan.v6.prefix}`],
    });
    lan.ip('route', 'add', 'default', 'via', topo.lan.v4.router);
    lan.ip('-6', 'route', 'add', 'default', 'via', topo.lan.v6.router);

    // internet: targets and the service live on its loopback
    for (const a of [...topo.targetsV4, topo.serviceV4]) inet.ip('addr', 'add', `${a}/32`, 'dev', 'lo');
    for (const a of [...topo.targetsV6, topo.serviceV6]) inet.ip('addr', 'add', `${a}/128`, 'dev', 'lo');

    for (const w of topo.wans) {
      const isp = lab.netns(`isp${w.device.slice(3)}`);
      isps.set(w.name, isp);
      isp.sysctl('net.ipv4.ip_forward', '1');
      isp.sysctl('net.ipv6.conf.all.forwarding', '1');
      lab.link(router, w.device, isp, 'down0', {
        a: [`${w.v4.addr}/${w.v4.prefix}`, `${w.v6.addr}/${w.v6.prefix}`],
        b: [`${w.v4.gw}/${w.v4.prefix}`, `${w.v6.gw}/${w.v6.prefix}`],
      });
      lab.link(isp, 'up0', inet, `isp${w.device.slice(3)}`, {
        a: [`${w.upstreamV4.isp}/${w.upstreamV4.prefix}`, `${w.upstreamV6.isp}/${w.upstreamV6.prefix}`],
        b: [`${w.upstreamV4.inet}/${w.upstreamV4.prefix}`, `${w.upstreamV6.inet}/${w.upstreamV6.prefix}`],
      });
      isp.ip('route', 'add', 'default', 'via', w.upstreamV4.inet);
      isp.ip('-6', 'route', 'add', 'default', 'via', w.upstreamV6.inet);
      isp.nft(ispNat());
      // netifd installs each WAN's default route in main with the interface metric
      router.ip('route', 'add', 'default', 'via', w.v4.gw, 'dev', w.device, 'metric', String(10 * w.metric + topo.wans.indexOf(w)));
      router.ip('-6', 'route', 'add', 'default', 'via', w.v6.gw, 'dev', w.device, 'metric', String(10 * w.metric + topo.wans.indexOf(w)));
    }
    router.nft(routerNat(topo.wans));
    return { lab, lan, router, isps, inet };
  } catch (err) {
    void lab.destroy();
    throw err;
  }
}

function ispNat(): string {
  return [
    'table inet labnat {',
    '  chain post { type nat hook postrouting priority srcnat; oifname "up0" masquerade; }',
    '}',
  ].join('\n');
}

/** The router's own firewall/NAT: masquerade out of every WAN device, like fw4's wan zone. */
function routerNat(wans: WanSpec[]): string {
  const devs = wans.map((w) => `"${w.device}"`).join(', ');
  return [
    'table inet labfw {',
    `  chain post { type nat hook postrouting priority srcnat; oifname { ${devs} } masquerade; }`,
    '}',
  ].join('\n');
}
