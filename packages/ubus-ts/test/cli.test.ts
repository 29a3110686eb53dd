/** `ubus-ts` output and exit codes, command by command, against our broker (as cli.c prints them). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlobmsgType, Status } from '../src/wire/constants.js';
import { UbusStatusError } from '../src/errors.js';
import { runCli } from '../src/cli/run.js';
import type { UbusClient } from '../src/client/types.js';
import { broker, client, FakeClock, tempDir, until } from './client-harness.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

function cli(argv: string[], opts: { tty?: boolean; clock?: FakeClock; stop?: Promise<void> } = {}): { done: Promise<Run>; out: () => string } {
  let out = '';
  let err = '';
  const done = runCli(argv, {
    out: (s) => (out += s),
    err: (s) => (err += s),
    stderrIsTTY: opts.tty ?? false,
    clock: opts.clock ?? new FakeClock(),
    interrupted: opts.stop ?? new Promise(() => undefined),
    prog: 'ubus',
  }).then((code) => ({ code, out, err }));
  return { done, out: () => out };
}
const run = (argv: string[], opts: { tty?: boolean } = {}): Promise<Run> => cli(argv, opts).done;

async function setup(t: Parameters<typeof broker>[0]): Promise<{ sock: string; svc: UbusClient; ids: Record<string, number> }> {
  const b = await broker(t);
  const svc = await client(t, b.socketPath);
  const a = await svc.addObject('demo', {
    hello: {
      policy: { name: BlobmsgType.STRING, count: BlobmsgType.INT32, on: BlobmsgType.BOOL, list: BlobmsgType.ARRAY, big: BlobmsgType.INT64 },
      handler: (req) => {
        req.reply({ step: 1 });
        return { msg: `hi ${String(req.args.name)}`, nested: { a: [1, 'x', true, null] }, empty: {} };
      },
    },
    echo: { handler: (req) => req.args },
    fail: { handler: () => { throw new UbusStatusError(Status.PERMISSION_DENIED); } },
  });
  const z = await svc.addObject('demo.sub', {});
  return { sock: b.socketPath, svc, ids: { demo: a.id, 'demo.sub': z.id } };
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');

test('list, list <pattern> and list -v print what the stock ubus prints', async (t) => {
  const { sock, ids } = await setup(t);
  assert.deepEqual(await run(['-s', sock, 'list']), { code: 0, out: 'demo\ndemo.sub\n', err: '' });
  assert.deepEqual(await run(['-s', sock, 'list', 'demo.*']), { code: 0, out: 'demo.sub\n', err: '' });
  const v = await run(['-s', sock, '-v', 'list', 'demo']);
  assert.equal(v.code, 0);
  assert.equal(
    v.out,
    `'demo' @${hex(ids.demo!)}\n` +
      '\t"hello":{"name":"String","count":"Integer","on":"Boolean","list":"Array","big":"(unknown)"}\n' +
      '\t"echo":{}\n' +
      '\t"fail":{}\n',
  );
  // -S wins over -v
  assert.equal((await run(['-s', sock, '-S', '-v', 'list', 'demo'])).out, 'demo\n');
  assert.deepEqual(await run(['-s', sock, 'list', 'nothing']), { code: Status.NOT_FOUND, out: '', err: 'Command failed: Not found\n' });
  assert.deepEqual(await run(['-s', sock, '-S', 'list', 'nothing']), { code: Status.NOT_FOUND, out: '', err: '' });
});

test('call prints each DATA reply as tab-indented JSON, or one line each with -S', async (t) => {
  const { sock } = await setup(t);
  const r = await run(['-s', sock, 'call', 'demo', 'hello', '{"name":"bob"}']);
  assert.equal(r.code, 0);
  assert.equal(
    r.out,
    '{\n\t"step": 1\n}\n' +
      '{\n\t"msg": "hi bob",\n\t"nested": {\n\t\t"a": [\n\t\t\t1,\n\t\t\t"x",\n\t\t\ttrue,\n\t\t\tnull\n\t\t]\n\t},\n\t"empty": {\n\t\t\n\t}\n}\n',
  );
  const s = await run(['-S', '-s', sock, 'call', 'demo', 'hello', '{"name":"bob"}']);
  assert.equal(s.out, '{"step":1}\n{"msg":"hi bob","nested":{"a":[1,"x",true,null]},"empty":{}}\n');
  // message types survive as json-c/blobmsg make them: 1.5 double, large int64, escapes
  const e = await run(['-S', '-s', sock, 'call', 'demo', 'echo', '{"d":1.5,"i":-7,"b":12345678901,"s":"a\\"b\\nc","t":false}']);
  assert.equal(e.out, '{"d":1.500000,"i":-7,"b":12345678901,"s":"a\\"b\\nc","t":false}\n');
  // getopt permutes: options after the command work too
  assert.equal((await run(['call', 'demo', 'echo', '{"x":1}', '-S', '-s', sock])).out, '{"x":1}\n');
});

test('call errors: message and exit code as cli.c gives them, with and without a terminal', async (t) => {
  const { sock } = await setup(t);
  // stderr not a terminal: the command line is repeated and the exit code is -status
  assert.deepEqual(await run(['-s', sock, 'call', 'demo', 'fail']), {
    code: 256 - Status.PERMISSION_DENIED,
    out: '',
    err: 'Command failed: ubus call demo fail (Permission denied)\n',
  });
  assert.deepEqual(await run(['-s', sock, 'call', 'demo', 'nope', '{}']), {
    code: 256 - Status.METHOD_NOT_FOUND,
    out: '',
    err: 'Command failed: ubus call demo nope {} (Method not found)\n',
  });
  // on a terminal: "Command failed: <strerror>" and the status as exit code
  assert.deepEqual(await run(['-s', sock, 'call', 'demo', 'fail'], { tty: true }), {
    code: Status.PERMISSION_DENIED,
    out: '',
    err: 'Command failed: Permission denied\n',
  });
  // -S: silent, status as exit code
  assert.deepEqual(await run(['-S', '-s', sock, 'call', 'demo', 'fail']), { code: Status.PERMISSION_DENIED, out: '', err: '' });
  // an unknown object fails in the lookup, which reports plainly
  assert.deepEqual(await run(['-s', sock, 'call', 'missing', 'x']), { code: Status.NOT_FOUND, out: '', err: 'Command failed: Not found\n' });
  // a wrongly typed argument is INVALID_ARGUMENT (2); cli.c then returns -2, which also prints the usage
  const inv = await run(['-s', sock, 'call', 'demo', 'hello', '{"name":5}']);
  assert.equal(inv.code, 254);
  assert.match(inv.err, /^Command failed: ubus call demo hello \{"name":5\} \(Invalid argument\)\nUsage: ubus /);
  // bad JSON is a parse error before anything is sent
  assert.deepEqual(await run(['-s', sock, 'call', 'demo', 'echo', '{bad']), {
    code: 256 - Status.PARSE_ERROR,
    out: '',
    err: 'Command failed: ubus call demo echo {bad (Parsing message data failed)\n',
  });
  assert.deepEqual(await run(['-s', sock, 'call', 'demo', 'echo', '[1]'], { tty: true }), {
    code: Status.PARSE_ERROR,
    out: '',
    err: 'Command failed: Parsing message data failed\n',
  });
});

test('usage errors and a missing broker', async (t) => {
  const { sock } = await setup(t);
  const none = await run([]);
  assert.equal(none.code, 1);
  assert.match(none.err, /^Usage: ubus \[<options>\] <command> \[arguments\.\.\.\]\n/);
  const unknown = await run(['-s', sock, 'frobnicate']);
  assert.equal(unknown.code, 254);
  assert.match(unknown.err, /^Usage: ubus /);
  assert.equal((await run(['-s', sock, 'call', 'demo'])).code, 254);
  assert.equal((await run(['-x', 'list'])).code, 1);
  assert.deepEqual(await run(['-s', join(tempDir(t), 'none.sock'), 'list']), { code: 255, out: '', err: 'Failed to connect to ubus\n' });
  assert.deepEqual(await run(['-S', '-s', join(tempDir(t), 'none.sock'), 'list']), { code: 255, out: '', err: '' });
});

test('listen prints events sent with send, for every pattern given, and ends after -t', async (t) => {
  const { sock } = await setup(t);
  const clock = new FakeClock();
  const l = cli(['-s', sock, '-t', '5', 'listen', 'mwan.*', 'network.interface'], { clock });
  // registered once it starts waiting out its 5 s
  await until(() => clock.requested.includes(5000));
  assert.deepEqual(await run(['-s', sock, 'send', 'mwan.track', '{"interface":"wan","up":true,"loss":2.5}']), { code: 0, out: '', err: '' });
  assert.equal((await run(['-s', sock, 'send', 'network.interface'])).code, 0);
  assert.equal((await run(['-s', sock, 'send', 'other.event', '{}'])).code, 0);
  assert.equal((await run(['-s', sock, 'send', 'mwan.x', '{"nested":{"a":[1]}}'])).code, 0);
  await until(() => l.out().split('\n').length > 3);
  clock.advance(5000);
  const r = await l.done;
  assert.equal(r.code, 0);
  assert.equal(
    r.out,
    '{ "mwan.track": {"interface":"wan","up":true,"loss":2.500000} }\n' +
      '{ "network.interface": {} }\n' +
      '{ "mwan.x": {"nested":{"a":[1]}} }\n',
  );
  assert.deepEqual(await run(['-s', sock, 'send', 'x', 'nope']), { code: Status.PARSE_ERROR, out: '', err: 'Command failed: Parsing message data failed\n' });
  assert.equal((await run(['-s', sock, 'send'])).code, 254);
});

test('subscribe prints notifications of the objects named', async (t) => {
  const { sock, svc } = await setup(t);
  const obj = await svc.addObject('pub', {});
  const clock = new FakeClock();
  const stop = { fire: (): void => undefined };
  const s = cli(['-s', sock, 'subscribe', 'pub'], { clock, stop: new Promise<void>((r) => (stop.fire = r)) });
  await until(() => obj.subscriberCount === 1);
  await obj.notify('state', { up: false, n: 3 });
  stop.fire();
  const r = await s.done;
  assert.deepEqual(r, { code: 0, out: '{ "state": {"up":false,"n":3} }\n', err: '' });
  assert.deepEqual(await run(['-s', sock, 'subscribe', 'absent']), { code: 255, out: '', err: "Error while registering for event 'absent': Not found\n" });
  assert.deepEqual(await run(['-s', sock, 'subscribe']), { code: 255, out: '', err: 'You need to specify an object to subscribe to\n' });
});

test('wait_for returns when the objects exist and times out with status 7 otherwise', async (t) => {
  const { sock, svc } = await setup(t);
  assert.deepEqual(await run(['-s', sock, 'wait_for', 'demo', 'demo.sub']), { code: 0, out: '', err: '' });
  const clock = new FakeClock();
  const w = cli(['-s', sock, '-t', '2', 'wait_for', 'demo', 'later'], { clock });
  await until(() => clock.requested.includes(2000));
  await svc.addObject('later', {});
  assert.deepEqual(await w.done, { code: 0, out: '', err: '' });
  const clock2 = new FakeClock();
  const w2 = cli(['-s', sock, '-t', '2', 'wait_for', 'never'], { clock: clock2 });
  await until(() => clock2.requested.includes(2000));
  clock2.advance(2000);
  assert.deepEqual(await w2.done, { code: Status.TIMEOUT, out: '', err: 'Command failed: Request timed out\n' });
});

test('the ubus-ts program itself: stdout, stderr and exit status of a real process', async (t) => {
  const { sock } = await setup(t);
  const bin = fileURLToPath(new URL('../../bin/ubus-ts.js', import.meta.url));
  // spawn, not spawnSync: the broker lives in this process and must keep running
  const exec = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  const ok = await exec(['-s', sock, 'call', 'demo', 'echo', '{"a":[1,2]}']);
  assert.equal(ok.status, 0);
  assert.equal(ok.stdout, '{\n\t"a": [\n\t\t1,\n\t\t2\n\t]\n}\n');
  const bad = await exec(['-s', sock, 'list', 'missing']);
  assert.equal(bad.status, Status.NOT_FOUND);
  assert.equal(bad.stderr, 'Command failed: Not found\n');
});

test('monitor prints the traffic it sees, one line per message, filtered by -m', { skip: process.getuid?.() !== 0 && 'ubusd lets only root monitor' }, async (t) => {
  const { sock, ids } = await setup(t);
  const stop = { fire: (): void => undefined };
  const m = cli(['-s', sock, '-m', 'invoke', '-m', 'data', 'monitor'], { stop: new Promise<void>((r) => (stop.fire = r)) });
  // the test cannot see when the monitor is registered: call until it has seen a call
  let out = '';
  for (let i = 0; i < 100 && !out.includes('"method":"echo"'); i++) {
    await run(['-s', sock, 'call', 'demo', 'echo', '{"x":1}']);
    out = m.out();
  }
  stop.fire();
  const r = await m.done;
  assert.equal(r.code, 0);
  const lines = r.out.trimEnd().split('\n');
  assert.ok(lines.every((l) => /^(->|<-) [0-9a-f]{8} #[0-9a-f]{8} +(invoke|data): \{.*\}$/.test(l)), r.out);
  const objid = ids.demo! | 0;
  assert.ok(lines.some((l) => l.startsWith('<- ') && l.endsWith(`invoke: {"objid":${objid},"method":"echo","data":{"x":1}}`)), r.out);
  assert.ok(lines.some((l) => l.startsWith('-> ') && l.endsWith(`data: {"objid":${objid},"data":{"x":1}}`)), r.out);
});
