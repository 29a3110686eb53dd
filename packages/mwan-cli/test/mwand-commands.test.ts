import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from 'ubus-ts/broker/index';
import { connect } from 'ubus-ts/client/index';
import { Status, UbusStatusError, type UbusData } from 'ubus-ts';
import { mwandCommands, runMwandCommand, ExitCode, type CliContext } from '../src/commands/index.js';

function tmp(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function ctxFor(socket: string, json = false): CliContext & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { socket, configDir: '/nonexistent', json, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, timeoutMs: 3000, out, err };
}

async function run(name: string, args: string[], ctx: CliContext): Promise<number> {
  const cmd = mwandCommands.find((c) => c.name === name)!;
  return runMwandCommand(cmd, args, ctx);
}

/** A stand-in `mwan` object answering in mwand's documented shapes (docs/ubus-api.md). */
async function fakeMwand(t: TestContext, socket: string) {
  const bus = await connect({ socketPath: socket });
  t.after(() => bus.close());
  const calls: { method: string; args: UbusData }[] = [];
  let down = false;
  const interfaces = (): UbusData => ({
    wan: { status: down ? 'offline' : 'online', online: down ? 0 : 54, offline: 0, uptime: 3600, tracking: down ? 'paused' : 'active', up: !down, enabled: true, score: 6, lost: 0, turn: 3, age: 1, running: true, track_ip: [] },
  });
  const rec = (method: string, reply: (a: UbusData) => UbusData) => ({
    handler: (req: { args: UbusData }) => {
      calls.push({ method, args: req.args });
      return reply(req.args);
    },
  });
  await bus.addObject('mwan', {
    status: rec('status', (a): UbusData => (a.section === 'interfaces' ? { interfaces: interfaces() } : { interfaces: interfaces(), connected: { ipv4: ['192.168.1.0/24'], ipv6: [] }, policies: { ipv4: {}, ipv6: {} } })),
    policies: rec('policies', () => ({ policies: { wan_only: { ipv4: { active: down ? 'last_resort' : 'members', last_resort: 'unreachable', members: down ? [] : [{ interface: 'wan', member: 'wan_m1', metric: 1, weight: 1, percent: 100 }] }, ipv6: { active: 'last_resort', last_resort: 'unreachable', members: [] } } } })),
    rules: rec('rules', () => ({ rules: [{ name: 'default_rule', policy: 'wan_only', family: 'ipv4', proto: 'all', src_ip: [], dest_ip: ['0.0.0.0/0'], src_port: [], dest_port: [], sticky: false, packets: 72, bytes: 12381 }] })),
    connected: rec('connected', () => ({ connected: { ipv4: ['192.168.1.0/24'], ipv6: [] } })),
    interfaces: rec('interfaces', (a) => {
      if (a.interface && a.interface !== 'wan') throw new UbusStatusError(Status.NOT_FOUND);
      return {
        interfaces: {
          wan: { device: 'eth1', addresses: ['192.0.2.2/24'], status: down ? 'offline' : 'online', latency_ms: 31, loss_pct: 0 },
          wanb: { device: 'eth2', addresses: [], status: 'offline', latency_ms: 999999, loss_pct: 100 },
          lte: { device: null, addresses: [], status: 'disabled', latency_ms: null, loss_pct: null },
        },
      };
    }),
    ifdown: rec('ifdown', (a) => {
      if (a.interface !== 'wan') throw new UbusStatusError(Status.NOT_FOUND);
      down = true;
      void bus.sendEvent('mwan.interface', { interface: 'wan', action: 'ifdown' });
      return { interface: 'wan', status: 'offline', admin_down: true };
    }),
    reload: rec('reload', () => ({ result: 'error', errors: ['/etc/config/mwan:7: policy x: member "nope" is not configured'] })),
    explain: rec('explain', (a) => ({ family: 'ipv4', src: a.src!, dst: a.dst!, proto: a.proto ?? 'all', action: 'interface', interfaces: [{ interface: 'wan', percent: 100, device: 'eth1' }], reasons: ['rule default_rule matches'], skipped: [] })),
    metrics: rec('metrics', () => ({ controller: { events: 3, uptime_s: 9 }, interfaces: {}, policies: {}, rules: { default_rule: { packets: 72, bytes: 12381 } } })),
  });
  return { calls, bus };
}

test('no broker: exit 2 with a clear message', async (t) => {
  const ctx = ctxFor(join(tmp(t), 'missing.sock'));
  assert.equal(await run('status', [], ctx), ExitCode.NO_UBUS);
  assert.equal(ctx.err.join(''), `mwan: cannot reach ubus at ${ctx.socket} (is ubusd running?)\n`);
});

test('broker without mwand: exit 3', async (t) => {
  const sock = join(tmp(t), 'ubus.sock');
  const b = await startBroker({ socketPath: sock, credentials: 'broker' });
  t.after(() => b.close());
  const ctx = ctxFor(sock);
  assert.equal(await run('interfaces', [], ctx), ExitCode.NO_MWAND);
  assert.equal(ctx.err.join(''), 'mwan: mwand is not running\n');
});

test('commands against mwand over the real broker: text, --json, errors and exit codes', async (t) => {
  const sock = join(tmp(t), 'ubus.sock');
  const b = await startBroker({ socketPath: sock, credentials: 'broker' });
  t.after(() => b.close());
  const { calls } = await fakeMwand(t, sock);

  let ctx = ctxFor(sock);
  assert.equal(await run('interfaces', [], ctx), 0);
  assert.equal(ctx.out.join(''), 'Interface status:\n interface wan is online 00h:00m:54s, uptime 01h:00m:00s and tracking is active\n\n');

  ctx = ctxFor(sock);
  assert.equal(await run('status', [], ctx), 0);
  const text = ctx.out.join('');
  assert.match(text, /^Interface status:\n/);
  assert.match(text, /\nCurrent ipv4 policies:\nwan_only:\n wan \(100%\)\n/);
  assert.match(text, /\nDirectly connected ipv4 networks:\n192\.168\.1\.0\/24\n/);
  assert.match(text, /\nActive ipv4 user rules:\n {3}72 12381 - wan_only/);

  ctx = ctxFor(sock, true);
  assert.equal(await run('policies', [], ctx), 0);
  assert.equal(JSON.parse(ctx.out.join('')).policies.wan_only.ipv4.members[0].percent, 100);

  ctx = ctxFor(sock);
  assert.equal(await run('explain', ['10.0.0.1', '203.0.113.1', 'udp', '53'], ctx), 0);
  assert.deepEqual(calls.at(-1), { method: 'explain', args: { src: '10.0.0.1', dst: '203.0.113.1', proto: 'udp', port: 53 } });
  assert.match(ctx.out.join(''), /Result: wan \(eth1\)\n$/);
  ctx = ctxFor(sock);
  assert.equal(await run('explain', ['10.0.0.1', '203.0.113.1', '--in', 'lan', 'tcp', '443'], ctx), 0);
  assert.deepEqual(calls.at(-1), { method: 'explain', args: { src: '10.0.0.1', dst: '203.0.113.1', proto: 'tcp', port: 443, src_iface: 'lan' } }, '--in becomes src_iface');
  ctx = ctxFor(sock);
  const before = calls.length;
  assert.equal(await run('explain', ['10.0.0.1', '203.0.113.1', '--in', 'br-lan'], ctx), ExitCode.USAGE);
  assert.equal(calls.length, before, 'a bad --in never reaches mwand');
  ctx = ctxFor(sock);
  assert.equal(await run('explain', ['10.0.0.1'], ctx), ExitCode.USAGE);
  assert.equal(await run('explain', ['10.0.0.1', '1.2.3.4', 'tcp', 'http'], ctx), ExitCode.USAGE);

  ctx = ctxFor(sock);
  assert.equal(await run('ifdown', ['nope'], ctx), ExitCode.FAILED);
  assert.equal(ctx.err.join(''), 'mwan: ifdown: interface "nope" is not configured\n');
  assert.equal(await run('ifdown', [], ctx), ExitCode.USAGE);

  ctx = ctxFor(sock);
  assert.equal(await run('reload', [], ctx), ExitCode.FAILED);
  assert.equal(ctx.err.join(''), 'mwan: reload rejected, the running setup is unchanged:\n/etc/config/mwan:7: policy x: member "nope" is not configured\n');

  ctx = ctxFor(sock);
  assert.equal(await run('metrics', [], ctx), 0);
  assert.match(ctx.out.join(''), /\nmwan_rule_packets_total\{rule="default_rule"\} 72\n/);

});

test('watch: refreshes on an mwan.* event, bounded by --count', async (t) => {
  const sock = join(tmp(t), 'ubus.sock');
  const b = await startBroker({ socketPath: sock, credentials: 'broker' });
  t.after(() => b.close());
  await fakeMwand(t, sock);
  // wan's tracker answers with its figures (jitter only comes from there); wanb's does not run
  const tracker = await connect({ socketPath: sock });
  t.after(() => tracker.close());
  await tracker.addObject('mwan.track.wan', { status: { handler: () => ({ interface: 'wan', state: 'up', latency_ms: 12.25, jitter_ms: 1.5, loss_pct: 5 }) } });
  const ctx = ctxFor(sock);
  // a long interval: the second screen can only come from the event
  const watching = run('watch', ['--count', '2', '--interval', '60', '--conntrack', '/nonexistent/conntrack'], ctx);
  const other = ctxFor(sock);
  for (let k = 0; k < 200 && ctx.out.length === 0; k++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(await run('ifdown', ['wan'], other), 0);
  assert.equal(await watching, 0);
  const screens = ctx.out.join('').split('mwan status at ').slice(1);
  assert.equal(screens.length, 2);
  assert.match(screens[0]!, /interface wan is online/);
  assert.match(screens[1]!, /interface wan is offline and tracking is paused/);
  assert.match(screens[1]!, /wan_only:\n unreachable\n/);
  // the per-WAN table: tracker figures for wan, mwand's for wanb (no answer = '-'), policy share
  const table = screens[0]!.split('\n\n')[1]!;
  assert.equal(
    table,
    'interface  state     latency  jitter  loss   new conns  policy share\n' +
      'wan        online    12 ms    1.5 ms  5 %    -          wan_only 100%\n' +
      'wanb       offline   -        -       100 %  -          -\n' +
      'lte        disabled  -        -       -      -          -\n' +
      '(new conns: not available (/nonexistent/conntrack -L -f ipv4 -o id: spawn /nonexistent/conntrack ENOENT); the policy share is the configured split only)',
  );
  assert.match(screens[1]!.split('\n\n')[1]!, /^wan +offline +12 ms +1\.5 ms +5 % +- +- *$/m, 'wan left the policy after ifdown');
  const j = ctxFor(sock, true);
  assert.equal(await run('watch', ['--count', '1', '--no-conntrack'], j), 0);
  const wans = JSON.parse(j.out.join('')).wans as { interface: string; figures: string; jitter_ms: number | null; share: unknown[] }[];
  assert.deepEqual(wans.map((w) => [w.interface, w.figures, w.jitter_ms]), [['wan', 'tracker', 1.5], ['wanb', 'mwand', null], ['lte', 'none', null]]);
  assert.equal(await run('watch', ['--count', 'x'], ctxFor(sock)), ExitCode.USAGE);
});

test('dispatcher entries: common flags anywhere before --, the rest to the command', async (t) => {
  const { commonFlags, mwandCommandDefs } = await import('../src/commands/entry.js');
  assert.deepEqual(commonFlags(['-s', '/x.sock', 'wan', '--json', '--', 'ping', '-s', '56']), { socket: '/x.sock', configDir: '/etc/config', json: true, rest: ['wan', '--', 'ping', '-s', '56'] });
  assert.equal(commonFlags(['-s']), '-s needs a value');
  const defs = mwandCommandDefs();
  const err: string[] = [];
  const code = await defs.status!.run(['-s', join(tmp(t), 'none.sock')], { stdout: () => {}, stderr: (s) => err.push(s) });
  assert.equal(code, ExitCode.NO_UBUS);
  assert.match(err.join(''), /cannot reach ubus at .*none\.sock \(is ubusd running\?\)/);
});
