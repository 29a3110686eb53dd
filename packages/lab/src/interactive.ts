/** Interactive mode: break and heal links by key while the live view runs. */
import { applyAction, type LabSession } from './run.js';
import { windowStats } from './metrics.js';
import { renderRows } from './view.js';
import type { Topology } from './topology.js';

export async function interactive(s: LabSession, topo: Topology, out: (t: string) => void): Promise<void> {
  const keys = topo.wans.map((w, i) => `${i + 1}: toggle ${w.label} down/up`).join(', ');
  out(`\ninteractive: ${keys}, d: degrade/heal ${topo.wans[1]!.label} (loss+delay), q: quit`);
  const broken = new Set<string>();
  const degraded = new Set<string>();
  const delayed = new Set<string>();
  process.stdin.setRawMode?.(true);
  process.stdin.resume();
  return new Promise((resolve) => {
    const timer = setInterval(async () => {
      const st = await s.stack.wanStatus();
      const w = windowStats(s.events, s.now() - 1000, s.now(), topo.wans.map((x) => x.name));
      out(renderRows(topo.wans.map((x) => ({ name: x.name, label: x.label, state: st.get(x.name)?.state ?? '?', latencyMs: st.get(x.name)?.latencyMs ?? null, lossPercent: st.get(x.name)?.lossPercent ?? null, share: w.shares[x.name] ?? 0 }))));
    }, 1000);
    process.stdin.on('data', (d: Buffer) => {
      const k = d.toString();
      if (k === 'q' || k === '\u0003') {
        clearInterval(timer);
        process.stdin.setRawMode?.(false);
        process.stdin.pause();
        resolve();
        return;
      }
      const idx = Number(k) - 1;
      const wan = topo.wans[idx];
      if (wan) {
        const down = broken.has(wan.name);
        applyAction(s, topo, { kind: down ? 'heal' : 'down', wan: wan.name }, delayed);
        if (down) broken.delete(wan.name); else broken.add(wan.name);
        out(`${wan.label} ${down ? 'healed' : 'broken'}`);
      }
      if (k === 'd') {
        const w2 = topo.wans[1]!;
        const on = degraded.has(w2.name);
        applyAction(s, topo, on ? { kind: 'heal', wan: w2.name } : { kind: 'degrade', wan: w2.name, lossPercent: 15, delayMs: 150 }, delayed);
        if (on) degraded.delete(w2.name); else degraded.add(w2.name);
        out(`${w2.label} ${on ? 'healed' : 'degraded'}`);
      }
    });
  });
}
