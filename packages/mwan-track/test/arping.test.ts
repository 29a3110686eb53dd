/**
 * track_method arping without a network: arping's reply lines are parsed; a round's requests are
 * answered by the replies that come within `timeout` (oldest first); one helper per target, kept
 * across rounds, restarted with backoff when it dies, re-spawned on a device change, killed on
 * close. The helper is a fake process, time is a fake clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { FakeClock } from '../src/clock.js';
import { ArpingProber, arpingArgs, findExecutable, parseArpingLine, ReplyLedger, type HelperProcess } from '../src/probes/arping.js';
import { checkMethod, createProber } from '../src/probes/index.js';
import { parseSettings } from '../src/settings.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** advances fake time in 100 ms steps, letting the prober's loop run between steps */
async function tick(clock: FakeClock, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 100) {
    clock.advance(Math.min(100, left));
    await flush();
  }
}

class FakeArping extends EventEmitter implements HelperProcess {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  signals: string[] = [];
  constructor(readonly command: string, readonly args: string[]) {
    super();
  }
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.signals.push(signal);
    setImmediate(() => this.emit('exit', null, signal));
    return true;
  }
  reply(from: string, ms: number): void {
    this.stdout.write(`Unicast reply from ${from} [52:4E:E3:D9:0C:62]  ${ms.toFixed(3)}ms\n`);
  }
  die(code: number, why = ''): void {
    if (why) this.stderr.write(why);
    setImmediate(() => this.emit('exit', code, null));
  }
}

function rig(opts: { count?: number; timeoutMs?: number } = {}) {
  const clock = new FakeClock(1000);
  const spawned: FakeArping[] = [];
  const logs: string[] = [];
  const prober = new ArpingProber({
    count: opts.count ?? 1,
    timeoutMs: opts.timeoutMs ?? 1500,
    binding: { device: 'wan1', srcIp: null, mark: 0x100 },
    clock,
    spawn: (cmd, args) => {
      const p = new FakeArping(cmd, args);
      spawned.push(p);
      return p;
    },
    log: (_l, m) => logs.push(m),
  });
  return { clock, spawned, logs, prober };
}

test('arping reply lines (iputils and busybox) are parsed; header, summary and junk are not replies', () => {
  assert.deepEqual(parseArpingLine('Unicast reply from 192.0.2.1 [52:4E:E3:D9:0C:62]  0.561ms'), { from: '192.0.2.1', mac: '52:4e:e3:d9:0c:62', rttMs: 0.561 });
  assert.deepEqual(parseArpingLine('Broadcast reply from 10.1.0.1 [aa:bb:cc:dd:ee:ff] 12.004ms'), { from: '10.1.0.1', mac: 'aa:bb:cc:dd:ee:ff', rttMs: 12.004 });
  assert.equal(parseArpingLine('ARPING 192.0.2.2 from 192.0.2.1 va'), null);
  assert.equal(parseArpingLine('Sent 4 probes (1 broadcast(s))'), null);
  assert.equal(parseArpingLine('Received 4 response(s)'), null);
  assert.equal(parseArpingLine('Unicast reply from 192.0.2.1 [52:4E:E3]  0.5ms'), null);
});

test('arping arguments: device, source address when set, target; no shell', () => {
  assert.deepEqual(arpingArgs({ device: 'wan1', srcIp: null, mark: 0 }, '10.1.0.1'), ['-I', 'wan1', '10.1.0.1']);
  assert.deepEqual(arpingArgs({ device: 'eth0.2', srcIp: '10.1.0.2', mark: 0 }, '10.1.0.1'), ['-I', 'eth0.2', '-s', '10.1.0.2', '10.1.0.1']);
});

test('ledger: a reply answers the oldest open request; requests older than timeout are lost; replies with nothing open are dropped', async () => {
  const clock = new FakeClock(0);
  const l = new ReplyLedger(clock, 1000);
  assert.equal(l.reply(1), false, 'no request open');
  const a = l.request();
  clock.advance(400);
  const b = l.request();
  clock.advance(700); // a expired at 1000
  assert.equal(l.reply(2.5), true);
  assert.equal(await a, null);
  assert.equal(await b, 2.5);
  const c = l.request();
  clock.advance(1000);
  assert.equal(await c, null, 'no reply within timeout');
  assert.equal(l.openCount, 0);
});

test('a round of count 3: one helper, replies matched in order, a missing reply counts as lost', async () => {
  const { clock, spawned, prober } = rig({ count: 3, timeoutMs: 1500 });
  const round = prober.probe('10.1.0.1');
  assert.equal(spawned.length, 1);
  assert.deepEqual(spawned[0]!.args, ['-I', 'wan1', '10.1.0.1']);
  spawned[0]!.reply('10.1.0.1', 0.5);
  await flush();
  await tick(clock, 1000);
  // second request: no reply; a reply from another address is not ours
  spawned[0]!.reply('10.1.0.9', 0.1);
  await flush();
  await tick(clock, 1000);
  spawned[0]!.reply('10.1.0.1', 0.7);
  await flush();
  await tick(clock, 1600);
  const r = await round;
  assert.deepEqual(r, { target: '10.1.0.1', sent: 3, received: 2, rttsMs: [0.5, 0.7] });
  // next round: same helper, not a new fork
  const r2p = prober.probe('10.1.0.1');
  spawned[0]!.reply('10.1.0.1', 0.4);
  await flush();
  await tick(clock, 3600);
  assert.deepEqual(await r2p, { target: '10.1.0.1', sent: 3, received: 1, rttsMs: [0.4] });
  assert.equal(spawned.length, 1, 'one helper across rounds');
  prober.close();
});

test('a round without any reply restarts the helper at once (fresh broadcast); targets get a helper each', async () => {
  const { clock, spawned, prober } = rig({ count: 1, timeoutMs: 1000 });
  const r = prober.probe('10.1.0.1');
  await tick(clock, 1000);
  assert.deepEqual(await r, { target: '10.1.0.1', sent: 1, received: 0, rttsMs: [] });
  assert.deepEqual(spawned[0]!.signals, ['SIGTERM']);
  assert.equal(spawned.length, 2);
  const other = prober.probe('10.1.0.5');
  assert.deepEqual(spawned[2]!.args, ['-I', 'wan1', '10.1.0.5']);
  spawned[2]!.reply('10.1.0.5', 1.25);
  await flush();
  assert.deepEqual(await other, { target: '10.1.0.5', sent: 1, received: 1, rttsMs: [1.25] });
  prober.close();
  assert.deepEqual(spawned[1]!.signals, ['SIGTERM']);
  assert.deepEqual(spawned[2]!.signals, ['SIGTERM']);
});

test('a helper that dies is restarted with doubling backoff; probes meanwhile are lost, not hung', async () => {
  const { clock, spawned, logs, prober } = rig({ count: 1, timeoutMs: 500 });
  const first = prober.probe('10.1.0.1');
  spawned[0]!.reply('10.1.0.1', 0.3);
  await flush();
  assert.equal((await first).received, 1);
  spawned[0]!.die(2, 'arping: Device wan1 not available.\n');
  await flush();
  assert.match(logs.join('\n'), /arping 10\.1\.0\.1 on wan1 exited 2: arping: Device wan1 not available\.; restart in 1 s/);
  const lost = prober.probe('10.1.0.1');
  await tick(clock, 500);
  assert.equal((await lost).received, 0);
  assert.equal(spawned.length, 1, 'not restarted before the backoff');
  clock.advance(500);
  assert.equal(spawned.length, 2, 'restarted after 1 s');
  spawned[1]!.die(2);
  await flush();
  clock.advance(1999);
  assert.equal(spawned.length, 2);
  clock.advance(1);
  assert.equal(spawned.length, 3, 'second restart after 2 s');
  prober.close();
  spawned[2]!.die(0);
  await flush();
  clock.advance(60_000);
  assert.equal(spawned.length, 3, 'nothing restarts after close');
});

test('rebind to a new device re-spawns the helper on it; the same binding (every round) does not', async () => {
  const { spawned, prober } = rig();
  void prober.probe('10.1.0.1');
  prober.rebind({ device: 'wan1', srcIp: null, mark: 0x100 });
  assert.equal(spawned.length, 1);
  prober.rebind({ device: 'pppoe-wan', srcIp: '10.9.0.2', mark: 0x100 });
  assert.deepEqual(spawned[0]!.signals, ['SIGTERM']);
  assert.deepEqual(spawned[1]!.args, ['-I', 'pppoe-wan', '-s', '10.9.0.2', '10.1.0.1']);
  prober.close();
});

test('arping and nping-arp are accepted for ipv4 and refused for ipv6 naming the field', () => {
  const v4 = parseSettings({ trackIp: ['10.1.0.1'], trackMethod: 'arping', device: 'wan1' });
  assert.doesNotThrow(() => checkMethod(v4));
  assert.doesNotThrow(() => checkMethod({ ...v4, trackMethod: 'nping-arp' }));
  const v6 = parseSettings({ trackIp: ['2001:db8::1'], family: 'ipv6', trackMethod: 'arping', device: 'wan1' });
  assert.throws(() => checkMethod(v6), (e: Error & { code?: string }) => e.code === 'ERR_TRACK_SETTINGS' && /settings\.track_method/.test(e.message));
  if (findExecutable('arping')) {
    const p = createProber(v4, { device: 'wan1', srcIp: null, mark: 0 });
    assert.ok(p instanceof ArpingProber);
    p.close();
  }
  const saved = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    assert.throws(() => createProber(v4, { device: 'wan1', srcIp: null, mark: 0 }), (e: Error & { code?: string }) => e.code === 'ERR_TRACK_PROBE_SETUP' && /arping not found on PATH \(install iputils-arping\)/.test(e.message));
  } finally {
    process.env.PATH = saved;
  }
});
