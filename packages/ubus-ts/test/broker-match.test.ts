/** ubusd's pattern walk (events and ACLs share it): exact, or prefix with a trailing `*`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SortedPrefixList, parsePattern, strmatchLen } from '../src/broker/prefix-match.js';

function matching(patterns: string[], name: string): string[] {
  const list = new SortedPrefixList<{ key: string; partial: boolean; pattern: string }>();
  for (const p of patterns) list.insert({ ...parsePattern(p), pattern: p });
  return [...list.matches(name)].map((e) => e.pattern);
}

test('matching table', () => {
  const patterns = ['network.interface', 'network.*', 'network.interface.*', 'net*', 'system', '*', 'hotplug.net'];
  const cases: [string, string[]][] = [
    ['network.interface', ['*', 'net*', 'network.*', 'network.interface']],
    ['network.interface.wan', ['*', 'net*', 'network.*', 'network.interface.*']],
    ['network.interfac', ['*', 'net*', 'network.*']],
    ['network', ['*', 'net*']],
    ['ne', ['*']],
    ['system', ['*', 'system']],
    ['systemd', ['*']],
    ['hotplug.net', ['*', 'hotplug.net']],
  ];
  for (const [name, want] of cases) assert.deepEqual(matching(patterns, name), want, name);
});

test('duplicates are kept (one entry per registration) and sorted in strcmp order', () => {
  assert.deepEqual(matching(['b', 'a*', 'b', 'a'], 'a'), ['a*', 'a']);
  assert.deepEqual(matching(['b', 'a*', 'b'], 'b'), ['b', 'b']);
});

test('strmatchLen counts the common prefix and reports equality', () => {
  assert.deepEqual(strmatchLen('abc', 'abd'), { full: false, len: 2 });
  assert.deepEqual(strmatchLen('abc', 'abc'), { full: true, len: 3 });
  assert.deepEqual(strmatchLen('ab', 'abc'), { full: false, len: 2 });
});
