import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateScript, expandString, parseTriggers, triggerMatches } from '../src/supervisor/json-script.js';
import { TriggerQueue } from '../src/supervisor/trigger-queue.js';
import { createFakeClock } from './helpers/fake-clock.js';

test('procd.sh trigger shapes evaluate as procd does', () => {
  const reload = ['if', ['eq', 'package', 'mwan'], ['run_script', '/etc/init.d/mwan', 'reload']];
  assert.deepEqual(evaluateScript(reload, { package: 'mwan' }), [['/etc/init.d/mwan', 'reload']]);
  assert.deepEqual(evaluateScript(reload, { package: 'network' }), []);
  assert.deepEqual(evaluateScript(reload, {}), []);
  // raw trigger: a list of commands
  assert.deepEqual(evaluateScript([['run_script', 'a'], ['run_script', 'b']], {}), [['a'], ['b']]);
  const multi = ['if', ['or', ['eq', 'target', '/mnt/a'], ['eq', 'target', ['/mnt/b', '/mnt/c']]], ['run_script', 'x']];
  assert.deepEqual(evaluateScript(multi, { target: '/mnt/c' }), [['x']]);
  assert.deepEqual(evaluateScript(['if', ['not', ['has', 'x']], ['run_script', 'no-x'], ['run_script', 'x']], { x: 1 }), [['x']]);
  assert.deepEqual(evaluateScript(['if', ['regex', 'interface', '^wan[0-9]$'], ['run_script', 'r', '%interface%']], { interface: 'wan2' }), [['r', 'wan2']]);
  assert.deepEqual(evaluateScript(['case', 'action', { ifup: ['run_script', 'up'], ifdown: ['run_script', 'down'] }], { action: 'ifdown' }), [['down']]);
  assert.deepEqual(evaluateScript([['return'], ['run_script', 'never']], {}), []);
  assert.deepEqual(evaluateScript(['if', ['bogus'], ['run_script', 'x']], {}), [], 'malformed expressions do nothing');
});

test('%var% expansion: %% is a percent, unknown names are empty, unterminated is refused', () => {
  assert.equal(expandString('a%x%b%%c%nope%', { x: 'X' }), 'aXb%c');
  assert.equal(expandString('50%', {}), undefined);
});

test('trigger parsing and type matching follow procd (malformed rules skipped, `.*` prefix)', () => {
  assert.deepEqual(parseTriggers([['config.change', ['run_script', 'x'], 1000], ['bad'], 'junk', ['t', 'notarray']]), [
    { type: 'config.change', script: ['run_script', 'x'], delayMs: 1000 },
  ]);
  assert.equal(triggerMatches('interface.update', 'interface.*'), true);
  assert.equal(triggerMatches('config.change', 'interface.*'), false);
  assert.equal(triggerMatches('config.change', 'config.change'), true);
});

test('trigger queue: delay, coalescing, one at a time, re-run when triggered while running', async () => {
  const clock = createFakeClock();
  const runs: string[] = [];
  let finish: (() => void) | undefined;
  const q = new TriggerQueue(clock, (argv) => {
    runs.push(argv.join(' '));
    return new Promise<void>((r) => (finish = r));
  });
  q.add(['a'], 1000);
  clock.advance(600);
  q.add(['a'], 1000); // extends to 1600
  clock.advance(999);
  assert.deepEqual(runs, []);
  clock.advance(1);
  assert.deepEqual(runs, ['a']);
  q.add(['a'], 1000); // while running: once more afterwards
  q.add(['b'], 1);
  clock.advance(1);
  assert.deepEqual(runs, ['a'], 'b waits for a');
  finish!();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(runs, ['a', 'b']);
  finish!();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(runs, ['a', 'b', 'a']);
  finish!();
  await q.idle();
  assert.equal(q.size, 0);
});
