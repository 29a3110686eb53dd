/** A private ubus broker and procd-ts in a temp dir, for end-to-end tests with real processes. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { connect, startBroker, type UbusClient } from 'ubus-ts';
import { createProcdClient, type ProcdClient } from '../../src/client/procd-client.js';
import { startProcd, type ProcdDaemon } from '../../src/supervisor/daemon.js';

export interface BusRig {
  dir: string;
  socketPath: string;
  procd: ProcdDaemon;
  ubus: UbusClient;
  client: ProcdClient;
  logs: string[];
}

/** `binDir`: a `bin` dir in the temp dir, put first in procd-ts's PATH (as the lab does with node_modules/.bin). */
export async function startBusRig(t: TestContext, opts: { logDir?: boolean; binDir?: boolean } = {}): Promise<BusRig> {
  const dir = mkdtempSync(join(tmpdir(), 'procd-js-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socketPath = join(dir, 'ubus.sock');
  const broker = await startBroker({ socketPath, credentials: 'broker' });
  t.after(() => broker.close());
  const logs: string[] = [];
  const binDir = join(dir, 'bin');
  mkdirSync(binDir);
  const env = opts.binDir ? { ...process.env, PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}` } : process.env;
  const procd = await startProcd({ socketPath, logDir: opts.logDir ? join(dir, 'log') : undefined, echoOutput: false, log: (m) => logs.push(m), env });
  t.after(() => procd.stop());
  const ubus = await connect({ socketPath, reconnect: false });
  t.after(() => ubus.close());
  return { dir, socketPath, procd, ubus, client: createProcdClient(ubus), logs };
}

/** Polls `check` until it returns a truthy value (bounded). */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 5000, stepMs = 25): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * Live (non-zombie) processes of process group `pgid`, from /proc. kill(-pgid, 0) is not used:
 * it also counts zombies, and orphans wait for PID 1 to reap them.
 */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // fields after the command (which may contain spaces) : state ppid pgrp ...
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] !== 'Z' && Number(rest[2]) === pgid) out.push(Number(name));
  }
  return out;
}

export function groupAlive(pgid: number): boolean {
  return groupMembers(pgid).length > 0;
}

/** True while `pid` exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
