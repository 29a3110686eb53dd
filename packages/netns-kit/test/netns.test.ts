import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, canUseNetns, run } from '../src/index.js';

test('two namespaces joined by veth can ping each other, and destroy removes them', { skip: !canUseNetns() && 'needs root (CI runs as root)' }, async (t) => {
  const lab = new Lab('nk');
  t.after(() => lab.destroy());
  const a = lab.netns('a');
  const b = lab.netns('b');
  lab.link(a, 'eth0', b, 'eth0', { a: ['10.99.0.1/30'], b: ['10.99.0.2/30'] });
  const r = a.run(['ping', '-c3', '-i0.2', '-W2', '10.99.0.2'], { allowFail: true }); // exit 0 when any reply came
  assert.equal(r.code, 0, r.stderr);
  await lab.destroy();
  const left = run(['ip', 'netns', 'list']).stdout;
  assert.ok(!left.includes(a.name) && !left.includes(b.name));
});
