/**
 * ACLs (ubusd_acl.c) against a real non-root peer: a child process runs as `nobody` and talks to
 * the broker over a socket it can reach. Needs root (to spawn as another uid).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { A, MsgType, Status, attrsOf, dataOf } from '../src/wire/index.js';
import { peer, sig, withBroker } from './broker-peer.js';

const isRoot = process.getuid?.() === 0;

const NOBODY_ACL = {
  user: 'nobody',
  access: { 'allowed.obj': { methods: ['ok'] }, 'wild.*': { methods: ['*'] } },
  send: ['evt.ok'],
  listen: ['evt.*'],
  publish: ['nobody.*'],
  subscribe: ['allowed.obj'],
};

/** What the child does, step by step; it prints one JSON object of results. */
const CHILD = `
const [peerUrl, wireUrl, sock] = process.argv.slice(1);
const { TestPeer, sig } = await import(peerUrl);
const { A, MsgType, attrsOf } = await import(wireUrl);
const p = await TestPeer.connect(sock);
const st = async (type, peer, attrs) => attrsOf((await p.request(type, peer, attrs)).status).status;
const out = {};
const all = await p.request(MsgType.LOOKUP, 0, []);
out.listed = all.replies.map((m) => [attrsOf(m).objpath, Object.keys(Object.fromEntries(attrsOf(m).signature.map((n) => [n.name, 1])))]);
const id = (path) => all.replies.map(attrsOf).find((a) => a.objpath === path)?.objid ?? 0;
const allowed = id('allowed.obj');
out.callOk = await st(MsgType.INVOKE, allowed, [A.objid(allowed), A.method('ok')]);
out.callSecret = await st(MsgType.INVOKE, allowed, [A.objid(allowed), A.method('secret')]);
out.callWild = await st(MsgType.INVOKE, id('wild.one'), [A.objid(id('wild.one')), A.method('anything')]);
out.sendOk = await st(MsgType.INVOKE, 1, [A.objid(1), A.method('send'), A.data({ id: 'evt.ok', data: {} })]);
out.sendNo = await st(MsgType.INVOKE, 1, [A.objid(1), A.method('send'), A.data({ id: 'evt.no', data: {} })]);
const l = await p.addObject(undefined);
out.listenOk = await st(MsgType.INVOKE, 1, [A.objid(1), A.method('register'), A.data({ object: l.id | 0, pattern: 'evt.x' })]);
out.listenNo = await st(MsgType.INVOKE, 1, [A.objid(1), A.method('register'), A.data({ object: l.id | 0, pattern: 'other' })]);
out.publishOk = (await p.addObject('nobody.svc', sig({ m: {} }))).status;
out.publishNo = (await p.addObject('root.svc', sig({ m: {} }))).status;
out.subscribeOk = await st(MsgType.SUBSCRIBE, 0, [A.objid(l.id), A.target(allowed)]);
out.subscribeNo = await st(MsgType.SUBSCRIBE, 0, [A.objid(l.id), A.target(id('wild.one'))]);
out.monitor = await st(MsgType.INVOKE, 3, [A.objid(3), A.method('add')]);
process.stdout.write(JSON.stringify(out));
p.close();
`;

function runAsNobody(sock: string): Promise<Record<string, unknown>> {
  const peerUrl = new URL('./broker-peer.js', import.meta.url).href;
  const wireUrl = new URL('../src/wire/index.js', import.meta.url).href;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, peerUrl, wireUrl, sock], { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`child exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as Record<string, unknown>);
    });
  });
}

test('a non-root peer gets only what the ACL grants; root gets everything', { skip: !isRoot && 'needs root' }, async (t) => {
  const base = await withBroker(t);
  await base.broker.close();
  const aclDir = join(base.dir, 'acl');
  mkdirSync(aclDir);
  writeFileSync(join(aclDir, 'nobody.json'), JSON.stringify(NOBODY_ACL));
  chmodSync(join(aclDir, 'nobody.json'), 0o644);
  chmodSync(base.dir, 0o755);
  const { path, broker } = await withBroker(t, { aclDir, socketPath: join(base.dir, 'acl.sock') });
  if (broker.credentials !== 'peercred') return t.skip('peer credentials unavailable on this host');

  const srv = await peer(t, path);
  const users: string[] = [];
  for (const p of ['allowed.obj', 'denied.obj', 'wild.one']) await srv.addObject(p, sig({ ok: {}, secret: {}, anything: {} }));
  srv.socket.on('data', () => {
    for (;;) {
      const i = srv.inbox.findIndex((m) => m.type === MsgType.INVOKE);
      if (i < 0) break;
      const inv = srv.inbox.splice(i, 1)[0]!;
      users.push(`${attrsOf(inv).user}:${attrsOf(inv).group}`);
      srv.send(MsgType.STATUS, inv.peer, [A.status(0), A.objid(attrsOf(inv).objid!)], inv.seq);
    }
  });

  const r = await runAsNobody(path);
  assert.deepEqual(r.listed, [['allowed.obj', ['ok']], ['wild.one', ['ok', 'secret', 'anything']]]);
  assert.equal(r.callOk, Status.OK);
  assert.equal(r.callSecret, Status.PERMISSION_DENIED);
  assert.equal(r.callWild, Status.OK);
  assert.equal(r.sendOk, Status.OK);
  assert.equal(r.sendNo, Status.PERMISSION_DENIED);
  assert.equal(r.listenOk, Status.OK);
  assert.equal(r.listenNo, Status.PERMISSION_DENIED);
  assert.equal(r.publishOk, Status.OK);
  assert.equal(r.publishNo, Status.INVALID_ARGUMENT);
  assert.equal(r.subscribeOk, Status.OK);
  assert.equal(r.subscribeNo, Status.NOT_FOUND);
  assert.equal(r.monitor, Status.PERMISSION_DENIED);
  assert.ok(users.includes('nobody:nogroup'), `owner saw callers ${users.join(',')}`);

  // root is never restricted
  const root = await peer(t, path);
  const all = await root.request(MsgType.LOOKUP, 0, []);
  const denied = all.replies.map(attrsOf).find((a) => a.objpath === 'denied.obj')!;
  const call = await root.request(MsgType.INVOKE, denied.objid!, [A.objid(denied.objid!), A.method('secret')]);
  assert.equal(attrsOf(call.status).status, Status.OK);
  assert.ok(users.includes('root:root'));
});

test('ACL files with a wrong owner or writable by others are skipped, as ubusd skips them', { skip: !isRoot && 'needs root' }, async (t) => {
  const base = await withBroker(t);
  const aclDir = join(base.dir, 'acl');
  mkdirSync(aclDir);
  const good = join(aclDir, 'a.json');
  const writable = join(aclDir, 'b.json');
  const foreign = join(aclDir, 'c.json');
  const broken = join(aclDir, 'd.json');
  for (const f of [good, writable, foreign]) writeFileSync(f, JSON.stringify(NOBODY_ACL));
  writeFileSync(broken, '{ not json');
  chmodSync(good, 0o644);
  chmodSync(writable, 0o666);
  chmodSync(foreign, 0o644);
  chmodSync(broken, 0o644);
  chownSync(foreign, 65534, 65534);
  const { broker } = await withBroker(t, { aclDir });
  const report = broker.reloadAcl()!;
  assert.deepEqual(report.loaded, [good]);
  assert.deepEqual(Object.keys(report.skipped).sort(), [writable, foreign, broken].sort());
  assert.match(report.skipped[writable]!, /permissions/);
  assert.match(report.skipped[foreign]!, /owner/);
});

test('acl object `query` lists the acl blocks that apply to the caller\'s published objects', async (t) => {
  const base = await withBroker(t);
  const aclDir = join(base.dir, 'acl');
  mkdirSync(aclDir);
  writeFileSync(join(aclDir, 'svc.json'), JSON.stringify({ user: 'nobody', access: { 'svc.*': { acl: { level: 2 } }, 'other': { methods: ['x'] } } }));
  chmodSync(join(aclDir, 'svc.json'), 0o644);
  const { path } = await withBroker(t, { aclDir, aclCheckOwner: false, socketPath: join(base.dir, 'q.sock') });
  const p = await peer(t, path);
  await p.addObject('svc.a', sig({ m: {} }));
  await p.addObject('unrelated', sig({ m: {} }));
  const r = await p.request(MsgType.INVOKE, 2, [A.objid(2), A.method('query')]);
  assert.equal(attrsOf(r.status).status, Status.OK);
  assert.deepEqual(dataOf(r.replies[0]!), { seq: 1, acl: [{ obj: 'svc.a', user: 'nobody', acl: { level: 2 } }] });
  const bad = await p.request(MsgType.INVOKE, 2, [A.objid(2), A.method('other')]);
  assert.equal(attrsOf(bad.status).status, Status.INVALID_COMMAND);
});
