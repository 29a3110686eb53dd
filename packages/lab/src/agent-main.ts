/**
 * `node agent-main.js SOCKET` inside the router namespace: the lab's hands on the router's bus.
 * ubusd-ts identifies peers through unix_diag, which only sees its own network namespace, so the
 * lab (in the root namespace) talks through this agent. JSON lines on stdin:
 *   {"id":1,"call":["mwan.track.fibre","status",{}]}   → {"id":1,"ok":true,"data":{...}}
 *   {"id":2,"listen":"mwan.*"}                          → {"id":2,"ok":true}, then {"event":type,"data":{...}}
 * Exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import { connect, type UbusData } from 'ubus-ts/client';
import { UbusStatusError } from 'ubus-ts';

const socketPath = process.argv[2];
if (!socketPath) {
  process.stderr.write('usage: agent-main SOCKET\n');
  process.exit(2);
}
const bus = await connect({ socketPath, reconnect: true });
const send = (j: unknown) => process.stdout.write(JSON.stringify(j) + '\n');
send({ ready: true });

createInterface({ input: process.stdin }).on('line', async (line) => {
  let req: { id?: number; call?: [string, string, UbusData?, number?]; listen?: string };
  try { req = JSON.parse(line); } catch { return; }
  const id = req.id;
  try {
    if (req.call) {
      const [path, method, args, timeoutMs] = req.call;
      const data = await bus.call(path, method, args ?? {}, { timeoutMs: timeoutMs ?? 3000 });
      send({ id, ok: true, data: data ?? null });
    } else if (req.listen) {
      await bus.listen(req.listen, (type, data) => send({ event: type, data }));
      send({ id, ok: true });
    }
  } catch (err) {
    send({ id, ok: false, error: err instanceof Error ? err.message : String(err), status: err instanceof UbusStatusError ? err.status : undefined });
  }
}).on('close', () => { void bus.close().finally(() => process.exit(0)); });
