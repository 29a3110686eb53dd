/** A private ubusd-ts in a temp dir with two clients (mwand's side and a caller), all closed after the test. */
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from 'ubus-ts/broker/index';
import { connect } from 'ubus-ts/client/index';
import type { UbusClient } from 'ubus-ts';

export interface PrivateBus {
  dir: string;
  sock: string;
  /** the client mwand's object is published on */
  bus: UbusClient;
  /** the client tests call through */
  cli: UbusClient;
}

export async function privateBus(t: TestContext, prefix: string): Promise<PrivateBus> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sock = join(dir, 'ubus.sock');
  const broker = await startBroker({ socketPath: sock, credentials: 'broker' });
  t.after(() => broker.close());
  const bus = await connect({ socketPath: sock, timeoutMs: 5000 });
  t.after(() => bus.close());
  const cli = await connect({ socketPath: sock, timeoutMs: 5000 });
  t.after(() => cli.close());
  return { dir, sock, bus, cli };
}
