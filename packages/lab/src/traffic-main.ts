/**
 * `node traffic-main.js TARGET PORT DURATION_MS [NEW_FLOW_EVERY_MS [BASE_PORT]]` inside the LAN
 * namespace: runs the flow generator and prints one JSON line per reply or loss. Bounded by
 * DURATION_MS; stops early when stdin closes. Source ports cycle through 5000 ports from
 * BASE_PORT (default: one of eight blocks from 20000 chosen by pid, so several generators in one
 * namespace rarely meet), never reusing a port within conntrack's UDP timeout at 20 flows/s.
 */
import { runTraffic } from './traffic.js';

const [target, port, duration, every, base] = process.argv.slice(2);
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
await runTraffic(
  {
    target: target!,
    port: Number(port),
    durationMs: Number(duration ?? 60000),
    newFlowEveryMs: Number(every ?? 50),
    packetEveryMs: 100,
    flowLifetimeMs: 2000,
    replyTimeoutMs: 800,
    basePort: base !== undefined ? Number(base) : 20000 + (process.pid % 8) * 5000,
    portRange: 5000,
  },
  (e) => process.stdout.write(JSON.stringify(e) + '\n'),
);
process.exit(0);
