/** What every prober offers the tracker loop. */
import type { TargetResult } from '../machine.js';

/** Where probes leave from. */
export interface ProbeBinding {
  device: string;
  /** null = the kernel's choice for the device */
  srcIp: string | null;
  /** SO_MARK (mwan's default mark) */
  mark: number;
}

export interface Prober {
  /** sends the round's `count` probes to `target`; never rejects (errors count as lost probes) */
  probe(target: string): Promise<TargetResult>;
  /** the device or source address changed */
  rebind(binding: ProbeBinding): void;
  /** aborts probes in flight (they resolve as lost) and frees sockets */
  close(): void;
}

export interface AttemptPlan {
  count: number;
  timeoutMs: number;
}

/** Spacing of a target's `count` probes: ping's 1 s, shortened so they fit in the timeout. */
export function spacingMs(plan: AttemptPlan): number {
  return plan.count <= 1 ? 0 : Math.min(1000, plan.timeoutMs / plan.count);
}

/**
 * Runs `count` attempts spaced `spacingMs` apart, each resolving to an RTT (ms) or null (lost),
 * and gathers them into a TargetResult. `attempt` must settle within its own timeout.
 */
export async function runAttempts(target: string, plan: AttemptPlan, attempt: () => Promise<number | null>, isClosed: () => boolean): Promise<TargetResult> {
  const gap = spacingMs(plan);
  const runs: Promise<number | null>[] = [];
  for (let i = 0; i < plan.count && !isClosed(); i++) {
    if (i > 0 && gap > 0) await new Promise((r) => setTimeout(r, gap));
    if (isClosed()) break;
    runs.push(attempt().catch(() => null));
  }
  const rtts = await Promise.all(runs);
  const got = rtts.filter((x): x is number => x !== null);
  return { target, sent: runs.length, received: got.length, rttsMs: got };
}

/** RTT in ms since `start` (process.hrtime.bigint), microsecond resolution. */
export function elapsedMs(start: bigint): number {
  return Number((process.hrtime.bigint() - start) / 1000n) / 1000;
}
