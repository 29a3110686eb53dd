/** The lab side of agent-main: request/response over the agent's stdin/stdout. */
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';

export class AgentError extends Error {
  constructor(message: string, readonly status: number | undefined) {
    super(message);
  }
}

export class Agent {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly listeners: ((type: string, data: any) => void)[] = [];
  readonly ready: Promise<void>;

  constructor(private readonly child: ChildProcess) {
    let onReady!: () => void;
    this.ready = new Promise((r) => { onReady = r; });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let j: any;
      try { j = JSON.parse(line); } catch { return; }
      if (j.ready) return onReady();
      if (j.event) { for (const l of this.listeners) l(j.event, j.data); return; }
      const w = this.waiting.get(j.id);
      if (!w) return;
      this.waiting.delete(j.id);
      clearTimeout(w.timer);
      if (j.ok) w.resolve(j.data); else w.reject(new AgentError(j.error, j.status));
    });
    child.once('exit', () => { for (const w of this.waiting.values()) { clearTimeout(w.timer); w.reject(new Error('agent exited')); } this.waiting.clear(); });
  }

  private request(body: object, timeoutMs: number): Promise<any> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.waiting.delete(id); reject(new Error('agent did not answer')); }, timeoutMs + 1000);
      this.waiting.set(id, { resolve, reject, timer });
      this.child.stdin!.write(JSON.stringify({ id, ...body }) + '\n');
    });
  }

  call(path: string, method: string, args: object = {}, timeoutMs = 3000): Promise<any> {
    return this.request({ call: [path, method, args, timeoutMs] }, timeoutMs);
  }

  async listen(pattern: string, cb: (type: string, data: any) => void): Promise<void> {
    this.listeners.push(cb);
    await this.request({ listen: pattern }, 3000);
  }

  close(): void {
    this.child.stdin?.end();
  }
}
