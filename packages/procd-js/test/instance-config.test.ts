import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configChanged, parseInstance, type DefinitionHost } from '../src/supervisor/instance-config.js';
import { limitsPrefix } from '../src/supervisor/limits.js';

const host: DefinitionHost = { fileDigest: (p) => (p === '/f' ? 'd1' : ''), ifindex: (d) => (d === 'eth0' ? 2 : 0) };
const base = { command: ['/bin/x', '-v'], respawn: ['3600', '5', '5'] };
const parse = (raw: Record<string, unknown>) => parseInstance('i', raw, host);

test('parse: procd defaults and atoi-style respawn strings', () => {
  const c = parse({ command: ['/bin/x'], respawn: [' 10', '2'] });
  assert.deepEqual(c.respawn, { threshold: 10, timeout: 2, retry: 5 });
  assert.equal(c.termTimeout, 5);
  assert.deepEqual(parse({ command: ['/bin/x'], respawn: [] }).respawn, { threshold: 3600, timeout: 5, retry: 5 });
  assert.deepEqual(parse({ command: ['/bin/x'], watchdog: ['7', '0'] }).watchdog, { mode: 0, timeout: 30 });
  assert.deepEqual(parse({ command: ['/bin/x'], file: ['/f'], netdev: ['eth0'] }).fileDigests, { '/f': 'd1' });
});

const changes: [string, Record<string, unknown>, boolean][] = [
  ['identical', {}, false],
  ['data only', { data: { a: 1 } }, false],
  ['stdout only', { stdout: true }, false],
  ['env key order', { env: { B: '2', A: '1' } }, false],
  ['command', { command: ['/bin/x'] }, true],
  ['env value', { env: { A: '1', B: '3' } }, true],
  ['respawn timeout', { respawn: ['3600', '6', '5'] }, true],
  ['respawn removed', { respawn: undefined }, true],
  ['term_timeout', { term_timeout: 6 }, true],
  ['user', { user: 'nobody' }, true],
  ['pidfile', { pidfile: '/run/p' }, true],
  ['limits', { limits: { nofile: '10' } }, true],
  ['reload_signal', { reload_signal: 1 }, true],
  ['netdev', { netdev: ['eth0'] }, true],
  ['unsupported option', { seccomp: '/etc/seccomp.json' }, true],
];

for (const [name, delta, expected] of changes) {
  test(`configChanged: ${name} → ${expected ? 'restart' : 'keep running'}`, () => {
    const a = parse({ ...base, env: { A: '1', B: '2' } });
    const b = parse({ ...base, env: { A: '1', B: '2' }, ...delta });
    assert.equal(configChanged(a, b), expected);
  });
}

test('configChanged: a self-managed watchdog is not part of the definition', () => {
  const a = parse({ ...base, watchdog: ['1', '10'] });
  const b = parse({ ...base, watchdog: ['1', '20'] });
  assert.equal(configChanged(a, b), true);
  assert.equal(configChanged(a, b, true), false);
});

test('limits become a prlimit prefix; bad limits are refused by name', () => {
  assert.deepEqual(limitsPrefix({ nofile: '1024', stack: '10 20' }, '/p'), ['/p', '--nofile=1024:1024', '--stack=10:20', '--']);
  assert.deepEqual(limitsPrefix({}, '/p'), []);
  assert.throws(() => parse({ command: ['/bin/x'], limits: { fish: '1' } }), { field: 'instances.i.limits.fish' });
  assert.throws(() => parse({ command: ['/bin/x'], nice: 30 }), { field: 'instances.i.nice' });
});
