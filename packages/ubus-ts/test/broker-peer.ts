/**
 * A minimal raw-frame ubus peer for broker tests: speaks only the wire codec over net.Socket,
 * so every reply can be asserted field by field without the client library in the way.
 */
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  A,
  FrameDecoder,
  MsgType,
  attrsOf,
  encodeMessage,
  type MessageAttr,
  type UbusMessage,
} from '../src/wire/index.js';
import { startBroker, type Broker, type BrokerOptions } from '../src/broker/index.js';

export class TestPeer {
  readonly inbox: UbusMessage[] = [];
  private waiters: { pred: (m: UbusMessage) => boolean; resolve: (m: UbusMessage) => void; reject: (e: Error) => void }[] = [];
  private readonly decoder = new FrameDecoder();
  id = 0;
  private seq = 0;
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => {
      for (const m of this.decoder.push(chunk)) this.deliver(m);
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error('peer closed'));
    });
    socket.on('error', () => {});
  }

  static async connect(path: string): Promise<TestPeer> {
    const sock = connect(path);
    const p = new TestPeer(sock);
    await new Promise<void>((res, rej) => {
      sock.once('connect', () => res());
      sock.once('error', rej);
    });
    const hello = await p.next((m) => m.type === MsgType.HELLO);
    p.id = hello.peer;
    return p;
  }

  private deliver(m: UbusMessage): void {
    const i = this.waiters.findIndex((w) => w.pred(m));
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
    else this.inbox.push(m);
  }

  /** The first queued or future message matching `pred` (removed from the inbox). */
  next(pred: (m: UbusMessage) => boolean = () => true, timeoutMs = 2000): Promise<UbusMessage> {
    const i = this.inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (m: UbusMessage) => { clearTimeout(t); resolve(m); }, reject: (e: Error) => { clearTimeout(t); reject(e); } };
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`timeout waiting for a message; inbox: ${JSON.stringify(this.inbox.map((m) => [m.type, m.seq, m.peer]))}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  send(type: number, peer: number, attrs: MessageAttr[], seq = ++this.seq): number {
    this.socket.write(encodeMessage({ type, seq, peer, attrs }));
    return seq;
  }

  /** Sends a request and collects every reply with its seq up to the final STATUS. */
  async request(type: number, peer: number, attrs: MessageAttr[]): Promise<{ replies: UbusMessage[]; status: UbusMessage }> {
    const seq = this.send(type, peer, attrs);
    const replies: UbusMessage[] = [];
    for (;;) {
      const m = await this.next((x) => x.seq === seq && (x.type === MsgType.DATA || x.type === MsgType.STATUS));
      if (m.type === MsgType.STATUS) return { replies, status: m };
      replies.push(m);
    }
  }

  async addObject(path: string | undefined, signature?: MessageAttr): Promise<{ id: number; type?: number; status: number }> {
    const attrs: MessageAttr[] = [];
    if (path !== undefined) attrs.push(A.objpath(path));
    if (signature) attrs.push(signature);
    const r = await this.request(MsgType.ADD_OBJECT, 0, attrs);
    const a = r.replies[0] ? attrsOf(r.replies[0]) : {};
    return { id: a.objid ?? 0, type: a.objtype, status: attrsOf(r.status).status! };
  }

  close(): void {
    this.socket.destroy();
  }
}

export async function withBroker(t: { after(fn: () => unknown): void }, opts: Partial<BrokerOptions> = {}): Promise<{ broker: Broker; dir: string; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ubusd-ts-'));
  const path = join(dir, 'ubus.sock');
  const broker = await startBroker({ socketPath: path, ...opts });
  t.after(async () => {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { broker, dir, path: broker.socketPath };
}

export async function peer(t: { after(fn: () => unknown): void }, path: string): Promise<TestPeer> {
  const p = await TestPeer.connect(path);
  t.after(() => p.close());
  return p;
}

/** SIGNATURE attr with methods → {arg: blobmsg type}. */
export function sig(methods: Record<string, Record<string, number>>): MessageAttr {
  return A.signature(Object.entries(methods).map(([name, args]) => ({
    type: 2 as const,
    name,
    value: Object.entries(args).map(([a, t]) => ({ type: 5 as const, name: a, value: t })),
  })));
}
