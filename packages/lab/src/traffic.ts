/**
 * LAN traffic: a steady stream of short UDP flows to the internet service. A new flow (new
 * source port, so a new conntrack entry and a fresh policy decision) starts every
 * `newFlowEveryMs`; each flow sends a packet every `packetEveryMs` for `flowLifetimeMs`. The
 * service answers with the source address it saw, which names the WAN the flow used.
 */
import dgram from 'node:dgram';

export interface TrafficOptions {
  target: string;
  port: number;
  newFlowEveryMs: number;
  packetEveryMs: number;
  flowLifetimeMs: number;
  /** a packet without an answer after this long counts as lost */
  replyTimeoutMs: number;
  /** stop after this long (bounded by design) */
  durationMs: number;
  /**
   * Source ports are taken in turn from [basePort, basePort + portRange): an ephemeral port the
   * kernel hands out again within conntrack's UDP timeout (up to 120 s) would match the old
   * flow's conntrack entry and its WAN, so a "new" flow would not be new. Default: ephemeral.
   */
  basePort?: number;
  portRange?: number;
}

export type TrafficEvent =
  | { kind: 'reply'; flow: number; t: number; via: string; rttMs: number; first: boolean }
  | { kind: 'lost'; flow: number; t: number; first: boolean };

export function runTraffic(opts: TrafficOptions, emit: (e: TrafficEvent) => void, now: () => number = () => performance.now()): Promise<void> {
  const start = now();
  let nextFlow = 0;
  const live = new Set<dgram.Socket>();
  return new Promise((resolve) => {
    const startFlow = (): void => {
      const id = nextFlow++;
      const family = opts.target.includes(':') ? 'udp6' : 'udp4';
      if (opts.basePort === undefined) return runFlow(id, dgram.createSocket(family));
      const bound = dgram.createSocket(family);
      const port = opts.basePort + (id % (opts.portRange ?? 5000));
      // a port someone else holds: fall back to an ephemeral one for this flow
      bound.once('error', () => { bound.close(); runFlow(id, dgram.createSocket(family)); });
      bound.bind({ port }, () => { bound.removeAllListeners('error'); runFlow(id, bound); });
    };
    const runFlow = (id: number, s: dgram.Socket): void => {
      live.add(s);
      const pending = new Map<number, { sent: number; timer: NodeJS.Timeout; first: boolean }>();
      let seq = 0;
      s.on('error', () => {});
      s.on('message', (msg) => {
        const n = msg.readUInt32BE(0);
        const p = pending.get(n);
        if (!p) return;
        clearTimeout(p.timer);
        pending.delete(n);
        const via = msg.subarray(17).toString();
        emit({ kind: 'reply', flow: id, t: now() - start, via, rttMs: now() - p.sent, first: p.first });
      });
      const send = (): void => {
        const n = seq++;
        const buf = Buffer.alloc(16);
        buf.writeUInt32BE(n, 0);
        buf.writeUInt32BE(id, 4);
        const sent = now();
        const timer = setTimeout(() => {
          pending.delete(n);
          emit({ kind: 'lost', flow: id, t: sent - start, first: n === 0 });
        }, opts.replyTimeoutMs);
        pending.set(n, { sent, timer, first: n === 0 });
        s.send(buf, opts.port, opts.target);
      };
      send();
      const tick = setInterval(send, opts.packetEveryMs);
      setTimeout(() => {
        clearInterval(tick);
        setTimeout(() => { for (const p of pending.values()) clearTimeout(p.timer); s.close(); live.delete(s); }, opts.replyTimeoutMs + 10);
      }, opts.flowLifetimeMs);
    };
    const spawner = setInterval(startFlow, opts.newFlowEveryMs);
    startFlow();
    setTimeout(() => {
      clearInterval(spawner);
      setTimeout(resolve, opts.flowLifetimeMs + opts.replyTimeoutMs + 50);
    }, opts.durationMs);
  });
}
