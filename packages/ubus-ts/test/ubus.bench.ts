/**
 * Broker throughput: invoke round trips (sequential, and 8 in flight) and event fan-out
 * (1 sender, 100 listeners). The broker runs as its own process (bin ubusd-ts), the peers are
 * lean raw-frame peers in this process, so the figures are the broker's, not a client library's.
 * Set UBUS_BENCH_UBUSD=/path/to/ubusd to measure another broker binary the same way.
 *
 *   node packages/ubus-ts/dist/test/ubus.bench.js
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { A, Attr, BlobmsgType, FrameDecoder, MsgType, attrsOf, encodeMessage, type MessageAttr, type UbusMessage } from '../src/wire/index.js';

class Peer {
  id = 0;
  private seq = 0;
  private readonly dec = new FrameDecoder();
  onMessage: (m: UbusMessage) => void = () => {};
  private constructor(readonly sock: Socket) {
    sock.on('data', (c) => {
      for (const m of this.dec.push(c)) this.onMessage(m);
    });
  }
  static async open(path: string): Promise<Peer> {
    const p = new Peer(connect(path));
    await new Promise<void>((res, rej) => {
      p.onMessage = (m) => {
        if (m.type === MsgType.HELLO) {
          p.id = m.peer;
          res();
        }
      };
      p.sock.once('error', rej);
    });
    return p;
  }
  send(type: number, peer: number, attrs: MessageAttr[], seq?: number): number {
    const s = seq ?? (this.seq = (this.seq + 1) & 0xffff);
    this.sock.write(encodeMessage({ type, seq: s, peer, attrs }));
    return s;
  }
  request(type: number, peer: number, attrs: MessageAttr[]): Promise<{ data: UbusMessage[]; status: number }> {
    return new Promise((res) => {
      const seq = this.send(type, peer, attrs);
      const data: UbusMessage[] = [];
      this.onMessage = (m) => {
        if (m.seq !== seq) return;
        if (m.type === MsgType.DATA) data.push(m);
        if (m.type === MsgType.STATUS) res({ data, status: attrsOf(m).status! });
      };
    });
  }
  close(): void {
    this.sock.destroy();
  }
}

async function startBrokerProcess(bin: string[], sock: string): Promise<ChildProcess> {
  const child = spawn(bin[0]!, [...bin.slice(1), '-s', sock], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 25));
  if (!existsSync(sock)) throw new Error(`broker ${bin.join(' ')} did not create ${sock}`);
  return child;
}

async function serverObject(path: string): Promise<{ srv: Peer; objid: number }> {
  const srv = await Peer.open(path);
  const sigAttr = A.signature([{ type: BlobmsgType.TABLE, name: 'echo', value: [{ type: BlobmsgType.INT32, name: 'n', value: BlobmsgType.INT32 }] }]);
  const r = await srv.request(MsgType.ADD_OBJECT, 0, [A.objpath('bench.echo'), sigAttr]);
  const objid = attrsOf(r.data[0]!).objid!;
  const reply = A.data({ rc: 1 });
  srv.onMessage = (m) => {
    if (m.type !== MsgType.INVOKE) return;
    srv.send(MsgType.DATA, m.peer, [A.objid(objid), reply], m.seq);
    srv.send(MsgType.STATUS, m.peer, [A.status(0), A.objid(objid)], m.seq);
  };
  return { srv, objid };
}

/** Calls with `window` requests in flight until `n` completed; returns calls per second. */
async function invokeRate(path: string, n: number, window: number): Promise<number> {
  const { srv, objid } = await serverObject(path);
  const cli = await Peer.open(path);
  const args = A.data({ n: 1 });
  const t0 = process.hrtime.bigint();
  await new Promise<void>((done) => {
    let sent = 0;
    let finished = 0;
    const fire = (): void => {
      sent++;
      cli.send(MsgType.INVOKE, objid, [A.objid(objid), A.method('echo'), args]);
    };
    cli.onMessage = (m) => {
      if (m.type !== MsgType.STATUS) return;
      finished++;
      if (finished === n) done();
      else if (sent < n) fire();
    };
    for (let i = 0; i < window; i++) fire();
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  cli.close();
  srv.close();
  return n / secs;
}

/** 1 sender, `listeners` listeners, `events` events; returns delivered messages per second. */
async function fanoutRate(path: string, listeners: number, events: number): Promise<{ rate: number; delivered: number }> {
  const peers: Peer[] = [];
  let delivered = 0;
  const expected = listeners * events;
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((r) => (resolveAll = r));
  for (let i = 0; i < listeners; i++) {
    const p = await Peer.open(path);
    const r = await p.request(MsgType.ADD_OBJECT, 0, []);
    const id = attrsOf(r.data[0]!).objid!;
    await p.request(MsgType.INVOKE, 1, [A.objid(1), A.method('register'), A.data({ object: id | 0, pattern: 'bench.*' })]);
    p.onMessage = (m) => {
      if (m.type !== MsgType.INVOKE) return;
      delivered++;
      if (delivered === expected) resolveAll();
    };
    peers.push(p);
  }
  const sender = await Peer.open(path);
  const t0 = process.hrtime.bigint();
  await new Promise<void>((done) => {
    let sent = 0;
    let acked = 0;
    const fire = (): void => {
      sent++;
      sender.send(MsgType.INVOKE, 1, [A.objid(1), A.method('send'), A.data({ id: 'bench.tick', data: { i: sent } })]);
    };
    sender.onMessage = (m) => {
      if (m.type !== MsgType.STATUS) return;
      acked++;
      if (sent < events) fire();
      if (acked === events) done();
    };
    for (let i = 0; i < 16; i++) fire();
  });
  await Promise.race([all, new Promise((r) => setTimeout(r, 10000))]);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const p of [...peers, sender]) p.close();
  return { rate: delivered / secs, delivered };
}

function figure(metric: string, value: number, unit: string): void {
  console.log(JSON.stringify({ bench: 'ubus', metric, value: Math.round(value), unit }));
}

async function main(): Promise<void> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const ours = [process.execPath, join(here, '..', 'src', 'ubusd-main.js'), '-A', '/nonexistent'];
  const brokers: [string, string[]][] = [['ubusd-ts', ours]];
  if (process.env.UBUS_BENCH_UBUSD) brokers.push(['ubusd (C)', [process.env.UBUS_BENCH_UBUSD]]);
  const rows: [string, string, string][] = [];
  for (const [name, bin] of brokers) {
    const dir = mkdtempSync(join(tmpdir(), 'ubus-bench-'));
    const sock = join(dir, 'ubus.sock');
    const child = await startBrokerProcess(bin, sock);
    try {
      const suffix = name === 'ubusd-ts' ? '' : ` [${name}]`;
      await invokeRate(sock, 2000, 1); // warm-up
      const seq = await invokeRate(sock, 20000, 1);
      figure(`invoke round trips, sequential${suffix}`, seq, 'calls/s');
      const par = await invokeRate(sock, 40000, 8);
      figure(`invoke round trips, 8 in flight${suffix}`, par, 'calls/s');
      const fan = await fanoutRate(sock, 100, 2000);
      figure(`event fan-out 1 sender -> 100 listeners${suffix}`, fan.rate, 'msgs/s');
      rows.push([name, 'invoke sequential', `${Math.round(seq)} calls/s`]);
      rows.push([name, 'invoke 8 in flight', `${Math.round(par)} calls/s`]);
      rows.push([name, 'event fan-out x100', `${Math.round(fan.rate)} msgs/s (${fan.delivered}/200000 delivered)`]);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log('\nbroker      | measure              | result');
  console.log('------------|----------------------|-------------------------------');
  for (const [b, m, r] of rows) console.log(`${b.padEnd(11)} | ${m.padEnd(20)} | ${r}`);
  void Attr;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
