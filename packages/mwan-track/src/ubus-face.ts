/**
 * The tracker on the bus: object `mwan.track.<iface>` (status, update, reset) and event
 * `mwan.track` on every state change. Connecting is retried until it works (the tracker probes
 * meanwhile); after a broker restart the client re-registers the object itself and we re-send
 * the current state once, so listeners that came back with the broker catch up.
 */
import { isIP } from 'node:net';
import { BlobmsgType, Status, UbusStatusError, type UbusClient, type UbusData } from 'ubus-ts';
import type { Clock } from './clock.js';
import { validDevice } from './settings.js';
import type { TrackChange, TrackFigures, Tracker, TrackUpdate } from './tracker.js';

export const EVENT = 'mwan.track';
/** figures that moved between state changes (docs/tracker.md "Figures events") */
export const FIGURES_EVENT = 'mwan.track.figures';
export const objectPath = (iface: string): string => `mwan.track.${iface}`;

export interface UbusFaceDeps {
  connect: () => Promise<UbusClient>;
  clock: Clock;
  log?: (level: 'info' | 'notice' | 'warn', msg: string) => void;
  /** first retry delay when the broker is not there yet, doubled up to 5 s */
  retryMs?: number;
}

const asData = (x: object): UbusData => x as unknown as UbusData;

/** Checks `update` arguments; throws INVALID_ARGUMENT naming the field, changing nothing. */
export function parseUpdate(args: UbusData, family: 'ipv4' | 'ipv6'): TrackUpdate {
  const u: TrackUpdate = {};
  const bad = (field: string, why: string): never => { throw new UbusStatusError(Status.INVALID_ARGUMENT, `update.${field}: ${why}`); };
  if (args.device !== undefined) {
    if (typeof args.device !== 'string' || !validDevice(args.device)) bad('device', 'not a device name');
    u.device = args.device as string;
  }
  if (args.src_ip !== undefined) {
    if (typeof args.src_ip !== 'string') bad('src_ip', 'not a string');
    const ip = args.src_ip as string;
    if (ip !== '' && isIP(ip) !== (family === 'ipv6' ? 6 : 4)) bad('src_ip', `not an ${family} address`);
    u.srcIp = ip === '' ? null : ip;
  }
  if (args.up !== undefined) {
    if (typeof args.up === 'boolean') u.up = args.up;
    else if (args.up === 0 || args.up === 1) u.up = args.up === 1;
    else bad('up', 'not a boolean');
  }
  return u;
}

export class UbusFace {
  private client: UbusClient | null = null;
  private stopped = false;
  private retryTimer: unknown = null;
  private ready: Promise<void> | null = null;

  constructor(private readonly iface: string, private readonly tracker: Tracker, private readonly deps: UbusFaceDeps) {}

  /** Starts connecting; resolves once the object is published (retrying meanwhile). */
  start(): Promise<void> {
    this.ready ??= this.connectLoop(this.deps.retryMs ?? 250);
    return this.ready;
  }

  /** Sends a `mwan.track` event (dropped, with a note, while the bus is away). */
  publish(change: TrackChange): void {
    const c = this.client;
    if (!c || !c.connected) return;
    c.sendEvent(EVENT, asData(change)).catch((err: Error) => this.deps.log?.('warn', `event ${EVENT}: ${err.message}`));
  }

  /** Sends a `mwan.track.figures` event (dropped while the bus is away: the next state event or `status` catches up). */
  publishFigures(figures: TrackFigures): void {
    const c = this.client;
    if (!c || !c.connected) return;
    c.sendEvent(FIGURES_EVENT, asData(figures)).catch((err: Error) => this.deps.log?.('warn', `event ${FIGURES_EVENT}: ${err.message}`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== null) this.deps.clock.clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = null;
    await c?.close().catch(() => {});
  }

  private async connectLoop(delay: number): Promise<void> {
    while (!this.stopped) {
      try {
        const c = await this.deps.connect();
        if (this.stopped) { await c.close(); return; }
        try {
          await this.register(c);
        } catch (err) {
          await c.close().catch(() => {});
          throw err;
        }
        return;
      } catch (err) {
        this.deps.log?.('warn', `ubus: ${(err as Error).message}; retrying in ${delay} ms`);
        await new Promise<void>((res) => { this.retryTimer = this.deps.clock.setTimeout(res, delay); });
        this.retryTimer = null;
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private async register(c: UbusClient): Promise<void> {
    const family = this.tracker.settings.family;
    await c.addObject(objectPath(this.iface), {
      status: { handler: () => asData(this.tracker.status()) },
      update: {
        policy: { device: BlobmsgType.STRING, src_ip: BlobmsgType.STRING, up: BlobmsgType.BOOL },
        handler: (req) => {
          this.tracker.update(parseUpdate(req.args, family));
          return asData({ state: this.tracker.status().state });
        },
      },
      reset: { handler: () => { this.tracker.reset(); return asData({ state: this.tracker.status().state }); } },
    });
    c.onEvent((e) => {
      if (e.kind === 'disconnected') this.deps.log?.('warn', 'ubus: connection lost, reconnecting');
      if (e.kind === 'reconnected') {
        this.deps.log?.('info', 'ubus: reconnected');
        const last = this.tracker.lastEvent;
        if (last) this.publish({ ...this.tracker.lastEvent!, ...this.currentFigures() });
      }
    });
    this.client = c;
    // announce where we are now (the start event may have happened before the bus was there)
    const last = this.tracker.lastEvent;
    if (last) this.publish({ ...last, ...this.currentFigures() });
  }

  private currentFigures(): Pick<TrackChange, 'score' | 'lost' | 'turn' | 'latency_ms' | 'loss_pct' | 'time'> {
    const s = this.tracker.status();
    return { score: s.score, lost: s.lost, turn: s.turn, latency_ms: s.latency_ms, loss_pct: s.loss_pct, time: s.time };
  }
}
