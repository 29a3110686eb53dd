/** Starting the lab's helper programs inside their namespaces, as JSON-line talking children. */
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Lab, Netns } from 'netns-kit';

export const distFile = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

/** Spawns `node <dist file> args...` in `ns`; calls onLine for each JSON line it prints. */
export function spawnNode(lab: Lab, ns: Netns, file: string, args: string[], onLine: (j: any) => void): ChildProcess {
  const child = lab.spawn(ns, [process.execPath, distFile(file), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try { onLine(JSON.parse(line)); } catch { /* not JSON */ }
  });
  return child;
}

/** Waits for the first line that satisfies `pred`. */
export function nextLine(child: ChildProcess, pred: (j: any) => boolean, timeoutMs = 5000): Promise<any> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    const t = setTimeout(() => { rl.close(); reject(new Error('no answer from child within timeout')); }, timeoutMs);
    rl.on('line', (line) => {
      try {
        const j = JSON.parse(line);
        if (pred(j)) { clearTimeout(t); rl.close(); resolve(j); }
      } catch { /* skip */ }
    });
  });
}
