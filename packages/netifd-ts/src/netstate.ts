/**
 * The namespace's links, addresses and main-table routes, kept current from rtnetlink (one
 * dump, then notifications). Calls `onChange` after each batch of changes.
 */
import { RT_TABLE, type AddressEntry, type LinkEntry, type RouteEntry, type Rtnl, type RtnlEvent } from 'mwan-rtmon/netlink/index';
import { tableKey } from 'mwan-rtmon/plan/mirror';
import type { Observed } from './status.js';

const addrKey = (a: AddressEntry): string => `${a.index}|${a.address}/${a.prefixLen}`;

export class NetState {
  private readonly links = new Map<number, LinkEntry>();
  private readonly addresses = new Map<string, AddressEntry>();
  private readonly routes = new Map<string, RouteEntry>();
  private scheduled = false;
  private redumpRoutes = false;
  private redumpAll = false;

  constructor(private readonly rtnl: Rtnl, private readonly onChange: () => void, private readonly onError: (e: Error) => void = () => {}) {}

  async start(): Promise<void> {
    this.rtnl.onEvent((e) => this.onEvent(e));
    await this.dumpAll();
  }

  /** What the kernel shows for `device` right now. */
  observe(device: string): Observed {
    const link = [...this.links.values()].find((l) => l.name === device);
    if (!link) return { link: undefined, addresses: [], routes: [] };
    return {
      link,
      addresses: [...this.addresses.values()].filter((a) => a.index === link.index),
      routes: [...this.routes.values()].filter((r) => r.devices.includes(link.index)),
    };
  }

  linkIndex(device: string): number | undefined {
    return [...this.links.values()].find((l) => l.name === device)?.index;
  }

  private async dumpAll(): Promise<void> {
    const [links, addrs, routes] = [await this.rtnl.dumpLinks(), await this.rtnl.dumpAddresses(), await this.rtnl.dumpRoutes()];
    this.links.clear();
    for (const l of links) this.links.set(l.index, l);
    this.addresses.clear();
    for (const a of addrs) this.addresses.set(addrKey(a), a);
    this.setRoutes(routes);
  }

  private setRoutes(routes: RouteEntry[]): void {
    this.routes.clear();
    for (const r of routes) if (r.table === RT_TABLE.MAIN && !r.cloned) this.routes.set(tableKey(r.table, r), r);
  }

  private onEvent(e: RtnlEvent): void {
    switch (e.kind) {
      case 'link':
        if (e.action === 'del') {
          this.links.delete(e.link.index);
          for (const [k, a] of this.addresses) if (a.index === e.link.index) this.addresses.delete(k);
        } else {
          this.links.set(e.link.index, e.link);
        }
        // IPv4 drops a downed link's routes without notifications
        this.redumpRoutes = true;
        break;
      case 'address':
        if (e.action === 'new') this.addresses.set(addrKey(e.address), e.address);
        else { this.addresses.delete(addrKey(e.address)); this.redumpRoutes = true; }
        break;
      case 'route':
        if (e.route.table !== RT_TABLE.MAIN || e.route.cloned) return;
        if (e.action === 'new') this.routes.set(tableKey(e.route.table, e.route), e.route);
        else this.routes.delete(tableKey(e.route.table, e.route));
        break;
      case 'overrun':
        this.redumpAll = true;
        break;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => { void this.flush(); });
  }

  private async flush(): Promise<void> {
    try {
      if (this.redumpAll) { this.redumpAll = false; this.redumpRoutes = false; await this.dumpAll(); }
      if (this.redumpRoutes) { this.redumpRoutes = false; this.setRoutes(await this.rtnl.dumpRoutes()); }
    } catch (err) {
      this.onError(err as Error);
    } finally {
      this.scheduled = false;
    }
    this.onChange();
  }
}
