/**
 * Shared by mwand's network-namespace tests: the repository's bins, a router linked to two ISPs,
 * and the bus beside it (ubusd-ts, procd-ts, netifd-ts) started in the router namespace the way
 * the init scripts start them. Everything created is removed after the test.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, waitUntil, type Netns } from 'netns-kit';

type After = { after(fn: () => unknown): void };

/** The repository root (this file runs from packages/mwand/dist/test). */
export const root: string = fileURLToPath(new URL('../../../../', import.meta.url));

/** A package's committed bin shim. */
export const bin = (pkg: string, name: string): string => join(root, 'packages', pkg, 'bin', `${name}.js`);

export interface TwoIsps {
  lab: Lab;
  /** temp dir for the socket, config and logs */
  dir: string;
  router: Netns;
  isp1: Netns;
  isp2: Netns;
}

/** A router with wan0 ↔ isp1 (192.0.2.1) and wan1 ↔ isp2 (198.51.100.1), and a temp dir. */
export function twoIsps(t: After, tag: string, dirPrefix: string): TwoIsps {
  const lab = new Lab(tag);
  t.after(() => lab.destroy());
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const router = lab.netns('router');
  const isp1 = lab.netns('isp1');
  const isp2 = lab.netns('isp2');
  lab.link(router, 'wan0', isp1, 'eth0', { a: ['192.0.2.2/24'], b: ['192.0.2.1/24'] });
  lab.link(router, 'wan1', isp2, 'eth0', { a: ['198.51.100.2/24'], b: ['198.51.100.1/24'] });
  return { lab, dir, router, isp1, isp2 };
}

export interface Bus {
  sock: string;
  cfgDir: string;
  /** the processes' output, `name: line` */
  logs: string[];
  /** starts `node ...argv` in the router, its output logged under `name` */
  start(argv: string[], name: string): ChildProcess;
  /** the ubus CLI in the router; its stdout */
  ubus(...args: string[]): string;
  /** `ubus call`, the reply parsed */
  call(path: string, method: string, args?: object): Record<string, unknown>;
}

/**
 * Writes `config` as <dir>/config/mwan and starts ubusd-ts, procd-ts and netifd-ts (wan=wan0,
 * wanb=wan1) in the router; resolves once netifd's objects are on the bus. The broker identifies
 * peers inside its own network namespace, so the test talks to the bus from the router too.
 * `logStdout`: log the processes' stdout too (stderr always); `logs`: the array to log into.
 */
export async function startBus(rig: TwoIsps, config: string, opts: { logStdout?: boolean; logs?: string[] } = {}): Promise<Bus> {
  const { lab, dir, router } = rig;
  const sock = join(dir, 'ubus.sock');
  const cfgDir = join(dir, 'config');
  mkdirSync(cfgDir);
  writeFileSync(join(cfgDir, 'mwan'), config);
  const logs = opts.logs ?? [];
  const start = (argv: string[], name: string): ChildProcess => {
    const c = lab.spawn(router, [process.execPath, ...argv]);
    if (opts.logStdout) c.stdout?.on('data', (d: Buffer) => logs.push(`${name}: ${d.toString().trim()}`));
    c.stderr?.on('data', (d: Buffer) => logs.push(`${name}: ${d.toString().trim()}`));
    return c;
  };
  start([bin('ubus-ts', 'ubusd-ts'), '-s', sock], 'ubusd');
  await waitUntil(() => existsSync(sock), 5000);
  const ubus = (...args: string[]): string => router.run([process.execPath, bin('ubus-ts', 'ubus-ts'), '-s', sock, '-S', ...args]).stdout;
  const call = (path: string, method: string, args: object = {}): Record<string, unknown> => JSON.parse(ubus('call', path, method, JSON.stringify(args)) || '{}');
  start([bin('procd-js', 'procd-ts'), '-s', sock], 'procd');
  start([bin('netifd-ts', 'netifd-ts'), '-s', sock, '--interface', 'wan=wan0', '--interface', 'wanb=wan1'], 'netifd');
  ubus('-t', '10', 'wait_for', 'service', 'network.interface.wan', 'network.interface.wanb');
  return { sock, cfgDir, logs, start, ubus, call };
}

/** mwand's command line as the init script gives it to procd; trackers run as `node mwan-track`. */
export function mwandCommand(bus: Bus, hook: string, hookFallback: string): string[] {
  return [process.execPath, bin('mwand', 'mwand'), '-s', bus.sock, '-c', bus.cfgDir, '--hook', hook, '--hook-fallback', hookFallback,
    '--track-command', process.execPath, '--track-command', bin('mwan-track', 'mwan-track')];
}

/** An interface's status word from `mwan status`. */
export function interfaceStatus(bus: Pick<Bus, 'call'>, name: string): string {
  return (bus.call('mwan', 'status', { section: 'interfaces' }).interfaces as Record<string, { status: string }>)[name]!.status;
}
