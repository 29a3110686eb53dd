/**
 * The lab's scripted story as data: each step applies faults, lets time pass while traffic
 * runs, and states what must be true afterwards. `--script` runs it unattended and fails when an
 * expectation does not hold.
 */
import type { Topology } from './topology.js';

export type StepAction =
  | { kind: 'down'; wan: string }
  | { kind: 'heal'; wan: string }
  | { kind: 'degrade'; wan: string; lossPercent: number; delayMs: number };

export type Expectation =
  | { kind: 'share'; wan: string; min?: number; max?: number; family?: 'ipv4' | 'ipv6' }
  | { kind: 'state'; wan: string; state: 'online' | 'offline' }
  | { kind: 'moved'; from: string; withinMs: number }
  | { kind: 'returned'; to: string; withinMs: number }
  | { kind: 'latency'; wan: string; minMs: number }
  | { kind: 'loss'; wan: string; minPercent: number };

export interface Step {
  title: string;
  actions: StepAction[];
  /** how long traffic runs in this step */
  durationMs: number;
  expect: Expectation[];
}

export function defaultStory(topo: Topology): Step[] {
  const [w1, w2, w3] = topo.wans;
  const total = w1!.weight + w2!.weight;
  return [
    {
      title: `Steady state: new flows spread ${w1!.weight}:${w2!.weight} over ${w1!.name} and ${w2!.name}; ${w3!.name} is the backup`,
      actions: [],
      durationMs: 6000,
      expect: [
        { kind: 'share', wan: w1!.name, min: w1!.weight / total - 0.2, max: w1!.weight / total + 0.2 },
        { kind: 'share', wan: w2!.name, min: w2!.weight / total - 0.2, max: w2!.weight / total + 0.2 },
        { kind: 'share', wan: w3!.name, max: 0.02 },
        { kind: 'share', wan: w3!.name, max: 0.02, family: 'ipv6' },
      ],
    },
    {
      title: `${w1!.name} dies: every packet through it is dropped`,
      actions: [{ kind: 'down', wan: w1!.name }],
      durationMs: 8000,
      expect: [
        { kind: 'state', wan: w1!.name, state: 'offline' },
        { kind: 'moved', from: w1!.name, withinMs: 5000 },
        { kind: 'share', wan: w1!.name, max: 0.02 },
        { kind: 'share', wan: w1!.name, max: 0.02, family: 'ipv6' },
      ],
    },
    {
      title: `${w2!.name} turns lossy (15%) and slow (+150 ms)`,
      actions: [{ kind: 'degrade', wan: w2!.name, lossPercent: 15, delayMs: 150 }],
      durationMs: 8000,
      expect: [
        // the tracker reports a sliding average over its last 20 probes, so within the step it
        // climbs towards +150 ms without reaching it
        { kind: 'latency', wan: w2!.name, minMs: 75 },
        { kind: 'loss', wan: w2!.name, minPercent: 1 },
      ],
    },
    {
      title: `${w1!.name} recovers`,
      actions: [{ kind: 'heal', wan: w1!.name }],
      durationMs: 8000,
      expect: [
        { kind: 'state', wan: w1!.name, state: 'online' },
        { kind: 'returned', to: w1!.name, withinMs: 6000 },
      ],
    },
    {
      title: `${w2!.name} heals: back to the steady state`,
      actions: [{ kind: 'heal', wan: w2!.name }],
      durationMs: 5000,
      expect: [{ kind: 'state', wan: w2!.name, state: 'online' }],
    },
  ];
}

/** A two-minute-shorter story for tests: steady state, the main WAN dies, it recovers. */
export function shortStory(topo: Topology): Step[] {
  const full = defaultStory(topo);
  return [
    { ...full[0]!, durationMs: 3000 },
    { ...full[1]!, durationMs: 5000 },
    { ...full[3]!, durationMs: 5000, title: `${topo.wans[0]!.name} recovers` },
  ];
}
