/**
 * The controller's ordered event queue. Events are processed strictly in arrival order, in
 * batches: everything that arrives within `coalesceMs` of the first event (or while a batch is
 * being processed) forms the next batch, so a burst of netifd/tracker events costs one plan and
 * one apply. No event is ever dropped: one that arrives during a batch (e.g. an ifup during a
 * reload) is processed in the next batch, after it.
 */
import type { Clock } from './clock.js';

export interface EventQueueOptions<E> {
  /** processes one batch, in order; a throw is reported to onError and the queue goes on */
  process(batch: E[]): Promise<void>;
  clock: Clock;
  /** how long to wait after the first event of a burst before processing (default 0) */
  coalesceMs?: number;
  onError?(err: unknown, batch: E[]): void;
}

export class EventQueue<E> {
  private pending: { event: E; seq: number }[] = [];
  private seq = 0;
  private done = 0;
  private running = false;
  private current: Promise<void> | undefined;
  private timer: unknown;
  private stopped = false;
  private waiters: { seq: number; resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(private readonly opts: EventQueueOptions<E>) {}

  /** Queues an event; returns its sequence number. */
  push(event: E): number {
    if (this.stopped) throw new Error('event queue is stopped');
    const seq = ++this.seq;
    this.pending.push({ event, seq });
    this.schedule();
    return seq;
  }

  /** Queues an event and resolves once the batch holding it has been processed. */
  pushAndWait(event: E): Promise<void> {
    const seq = this.push(event);
    return this.waitFor(seq);
  }

  /** Resolves when every event queued so far has been processed. */
  idle(): Promise<void> {
    return this.waitFor(this.seq);
  }

  /** Events queued but not processed yet. */
  get backlog(): number {
    return this.seq - this.done;
  }

  /** Stops taking events; waiters of unprocessed events are rejected. The running batch finishes. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    for (const w of this.waiters.splice(0)) w.reject(new Error('event queue stopped'));
  }

  /** stop(), then resolves once the batch being processed (if any) has finished. */
  async stopAndSettle(): Promise<void> {
    this.stop();
    await this.current;
  }

  private waitFor(seq: number): Promise<void> {
    if (seq <= this.done) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  private schedule(): void {
    if (this.running || this.timer !== undefined || this.pending.length === 0 || this.stopped) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, this.opts.coalesceMs ?? 0);
  }

  private async drain(): Promise<void> {
    if (this.running || this.stopped) return;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    this.running = true;
    let settled: () => void = () => {};
    this.current = new Promise<void>((r) => (settled = r));
    try {
      await this.opts.process(batch.map((b) => b.event));
    } catch (err) {
      this.opts.onError?.(err, batch.map((b) => b.event));
    } finally {
      settled();
      this.current = undefined;
      this.running = false;
      this.done = batch[batch.length - 1]!.seq;
      const ready = this.waiters.filter((w) => w.seq <= this.done);
      this.waiters = this.waiters.filter((w) => w.seq > this.done);
      for (const w of ready) w.resolve();
      this.schedule();
    }
  }
}
