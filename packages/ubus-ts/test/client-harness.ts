/** Shared by the client and CLI tests: a private broker per test, a fake clock, an in-memory link. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startBroker, type Broker } from '../src/broker/index.js';
import { connect } from '../src/client/index.js';
import type { ConnectOptions, UbusClient } from '../src/client/types.js';
import type { Link, Transport } from '../src/client/transport.js';

/** A temp dir removed after the test. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'ubus-client-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A broker on a fresh socket, closed after the test. */
export async function broker(t: TestContext, socketPath?: string): Promise<Broker> {
  const b = await startBroker({ socketPath: socketPath ?? join(tempDir(t), 'ubus.sock'), credentials: 'broker' });
  t.after(() => b.close());
  return b;
}

/** A client of `b`, closed after the test. */
export async function client(t: TestContext, socketPath: string, opts: ConnectOptions = {}): Promise<UbusClient> {
  const c = await connect({ socketPath, timeoutMs: 5000, ...opts });
  t.after(() => c.close());
  return c;
}

/** Resolves when `cond` holds, checking on every macrotask turn; fails after `ms` real time. */
export async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Manual time (shared with the other packages' tests). */
export { FakeClock } from '../src/clock.js';

/** An in-memory link whose far end the test plays (as the broker). */
export class MemoryLink implements Link {
  readonly written: Uint8Array[] = [];
  private dataCb: ((b: Uint8Array) => void) | undefined;
  private closeCbs: Array<(e?: Error) => void> = [];
  closed = false;
  write(bytes: Uint8Array): void {
    this.written.push(bytes);
    this.onWrite?.(bytes);
  }
  onWrite: ((bytes: Uint8Array) => void) | undefined;
  close(): void {
    this.end();
  }
  onData(cb: (b: Uint8Array) => void): void {
    this.dataCb = cb;
  }
  onClose(cb: (e?: Error) => void): void {
    this.closeCbs.push(cb);
  }
  /** the "broker" sends bytes */
  push(bytes: Uint8Array): void {
    this.dataCb?.(bytes);
  }
  /** the "broker" hangs up */
  end(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const cb of this.closeCbs) cb(err);
  }
}

/** A transport handing out the given links one by one, then refusing. */
export function memoryTransport(links: MemoryLink[]): Transport & { opened: number } {
  const tr = {
    describe: 'memory',
    opened: 0,
    open: async (): Promise<Link> => {
      const l = links[tr.opened++];
      if (!l) throw new Error('no broker');
      return l;
    },
  };
  return tr;
}
