import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rtmon, type Clock, type RtmonEvent } from '../src/rtmon.js';
import { recordingSetBackend } from '../src/apply/nft-sets.js';
import { tableKey } from '../src/plan/mirror.js';
import { NetlinkRequestError } from '../src/errors.js';
import type { Rtnl } from '../src/netlink/socket.js';
import type { LinkEntry, RouteEntry, RtnlEvent } from '../src/netlink/types.js';
import type { NftChange } from '../src/apply/nft-watch.js';

/** An in-memory kernel: routes by table|key, notifications for every change. */
function fakeKernel(links: LinkEntry[]): Rtnl & { routes: Map<string, RouteEntry>; emit(e: RtnlEvent): void; failNext: string | undefined; writes: string[] } {
  const listeners: ((e: RtnlEvent) => void)[] = [];
  const routes = new Map<string, RouteEntry>();
  const k = {
    routes,
    failNext: undefined as string | undefined,
    writes: [] as string[],
    emit(e: RtnlEvent) { for (const l of listeners) l(e); },
    onEvent(cb: (e: RtnlEvent) => void) { listeners.push(cb); },
    async dumpRoutes() { return [...routes.values()]; },
    async dumpAddresses() { return []; },
    async dumpLinks() { return links; },
    async replaceRoute(r: RouteEntry, table: number) {
      if (k.failNext) { const errno = k.failNext; k.failNext = undefined; throw new NetlinkRequestError('replace', { cause: Object.assign(new Error(errno), { code: errno }) }); }
      const copy = { ...r, table };
      routes.set(tableKey(table, copy), copy);
      k.writes.push(`replace ${table} ${r.dst}/${r.dstLen}`);
      queueMicrotask(() => k.emit({ kind: 'route', action: 'new', route: copy }));
    },
    async deleteRoute(r: RouteEntry, table: number) {
      routes.delete(tableKey(table, r));
      k.writes.push(`delete ${table} ${r.dst}/${r.dstLen}`);
      queueMicrotask(() => k.emit({ kind: 'route', action: 'del', route: { ...r, table } }));
    },
    async setLinkUp() { throw new Error('not used'); },
    close() {},
  };
  return k;
}

const fakeClock = (): Clock & { fire(): void } => {
  let pending: (() => void)[] = [];
  return { now: () => 0, setTimeout: (fn) => { pending.push(fn); return pending.length; }, clearTimeout: () => { pending = []; }, fire: () => { const p = pending; pending = []; p.forEach((f) => f()); } };
};

const LINKS: LinkEntry[] = [{ index: 2, name: 'wan0', up: true, carrier: true, running: true }, { index: 4, name: 'lan0', up: true, carrier: true, running: true }];
const r = (dst: string, len: number, dev: number, extra: Partial<RouteEntry> = {}): RouteEntry => ({
  family: 4, table: 254, dst, dstLen: len, srcLen: 0, tos: 0, priority: 0, type: 1, protocol: 2, scope: 253, oif: dev, devices: [dev], cloned: false, ...extra,
});
const WANS = [{ name: 'wan', table: 1, family: 4 as const, enabled: true, device: 'wan0' }, { name: 'wanb', table: 2, family: 4 as const, enabled: true }];

test('Rtmon: start converges, notifications are mirrored, own echoes cause no rewrites', async () => {
  const k = fakeKernel(LINKS);
  const lan = r('192.168.1.0', 24, 4);
  k.routes.set(tableKey(254, lan), lan);
  const events: RtmonEvent[] = [];
  const sets = recordingSetBackend({ connected_v4: ['100.64.0.0/10'], connected_v6: [] });
  const m = new Rtmon({ rtnl: k, sets, publish: (e) => events.push(e), clock: fakeClock() });
  await m.start(WANS, []);
  await m.idle();
  assert.deepEqual(k.writes.sort(), ['replace 1 192.168.1.0/24', 'replace 2 192.168.1.0/24']);
  assert.deepEqual([...sets.sets.get('connected_v4')!], ['192.168.1.0/24'], 'stale element removed, connected added');

  k.writes.length = 0;
  const extra = r('198.51.100.0', 24, 4, { gateway: '192.168.1.254', scope: 0 });
  k.routes.set(tableKey(254, extra), extra);
  k.emit({ kind: 'route', action: 'new', route: extra });
  await m.idle();
  await new Promise((res) => setImmediate(res));
  await m.idle();
  assert.deepEqual(k.writes.sort(), ['replace 1 198.51.100.0/24', 'replace 2 198.51.100.0/24'], 'exactly one write per table, echoes ignored');
  assert.ok(events.some((e) => e.what === 'route' && e.replaced === 2));
  assert.ok(events.some((e) => e.what === 'connected' && e.added.includes('198.51.100.0/24')));
  assert.equal(m.status().mirrored.ipv4, 4);
});

test('Rtmon: a failed write is counted and retried at the next notification; a missing set is filled when nft reports it', async () => {
  const k = fakeKernel(LINKS);
  const clock = fakeClock();
  const sets = recordingSetBackend({});
  let nftCb: ((c: NftChange) => void) | undefined;
  const m = new Rtmon({ rtnl: k, sets, clock, watchSets: (cb) => { nftCb = cb; return { close() {} }; } });
  await m.start(WANS, []);
  k.failNext = 'ENETUNREACH';
  const lan = r('192.168.1.0', 24, 4);
  k.routes.set(tableKey(254, lan), lan);
  k.emit({ kind: 'route', action: 'new', route: lan });
  await m.idle();
  assert.equal(m.status().errors, 1);
  assert.match(m.status().lastError ?? '', /ENETUNREACH/);
  // the next notification (here the echo of the table-2 write) retries the failed table-1 write
  assert.deepEqual(k.writes, ['replace 2 192.168.1.0/24', 'replace 1 192.168.1.0/24']);
  const other = r('10.9.0.0', 16, 4);
  k.routes.set(tableKey(254, other), other);
  k.emit({ kind: 'route', action: 'new', route: other });
  await m.idle();

  assert.equal(m.status().sets.connected_v4.present, false);
  sets.sets.set('connected_v4', new Set());
  nftCb!({ kind: 'set', set: 'connected_v4' });
  clock.fire();
  await m.idle();
  assert.deepEqual([...sets.sets.get('connected_v4')!].sort(), ['10.9.0.0/16', '192.168.1.0/24']);
});

test('Rtmon: removing an interface from the config clears its table, a device change moves routes', async () => {
  const k = fakeKernel(LINKS);
  const lan = r('192.168.1.0', 24, 4);
  const wanNet = r('10.1.0.0', 24, 2);
  for (const x of [lan, wanNet]) k.routes.set(tableKey(254, x), x);
  const m = new Rtmon({ rtnl: k, sets: recordingSetBackend({}), clock: fakeClock() });
  await m.start(WANS, []);
  await m.idle();
  assert.deepEqual(m.tableRoutes({ table: 2 })[0]!.routes, ['192.168.1.0/24 dev lan0 proto kernel scope link'], 'wan0 net only in wan\'s table');
  // wanb's device becomes lan0 (netifd reported it): lan0's route now belongs to wanb only
  k.writes.length = 0;
  m.setWans([WANS[0]!, { ...WANS[1]!, device: 'lan0' }], []);
  await m.idle();
  assert.deepEqual(k.writes, ['delete 1 192.168.1.0/24']);
  k.writes.length = 0;
  m.setWans([WANS[0]!], []);
  await m.idle();
  assert.deepEqual(k.writes.sort(), ['delete 2 192.168.1.0/24', 'replace 1 192.168.1.0/24']);
});
