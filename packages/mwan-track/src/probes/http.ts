/**
 * httping: HTTP(S) HEAD / with Node's client. Node cannot set SO_BINDTODEVICE or SO_MARK on its
 * TCP sockets, so this probe is bound to the WAN's source address only (docs/tracker.md, limits).
 */
import http from 'node:http';
import https from 'node:https';
import type { TargetResult } from '../machine.js';
import { elapsedMs, runAttempts, type AttemptPlan, type ProbeBinding, type Prober } from './types.js';

export interface HttpProbeOptions extends AttemptPlan {
  family: 'ipv4' | 'ipv6';
  binding: ProbeBinding;
  port: number | null;
  httpsOn: boolean;
}

export class HttpProber implements Prober {
  private closed = false;
  private readonly live = new Set<http.ClientRequest>();
  private binding: ProbeBinding;
  constructor(private readonly opts: HttpProbeOptions) {
    this.binding = opts.binding;
  }

  rebind(binding: ProbeBinding): void {
    this.binding = binding;
  }

  probe(target: string): Promise<TargetResult> {
    return runAttempts(target, this.opts, () => this.attempt(target), () => this.closed);
  }

  close(): void {
    this.closed = true;
    for (const r of [...this.live]) r.destroy();
    this.live.clear();
  }

  private attempt(target: string): Promise<number | null> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(null);
      const t0 = process.hrtime.bigint();
      const mod = this.opts.httpsOn ? https : http;
      const host = this.opts.family === 'ipv6' ? `[${target}]` : target;
      const req = mod.request({
        method: 'HEAD', host: target, port: this.opts.port ?? (this.opts.httpsOn ? 443 : 80), path: '/',
        localAddress: this.binding.srcIp ?? undefined, headers: { Host: host, 'User-Agent': 'mwan-track' },
        rejectUnauthorized: false, agent: false,
      });
      let settled = false;
      const finish = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        const rtt = elapsedMs(t0);
        clearTimeout(timer);
        this.live.delete(req);
        req.destroy();
        resolve(ok ? rtt : null);
      };
      const timer = setTimeout(() => finish(false), this.opts.timeoutMs);
      this.live.add(req);
      req.on('response', (res) => { res.resume(); finish(true); });
      req.on('error', () => finish(false));
      req.on('close', () => finish(false));
      req.end();
    });
  }
}
