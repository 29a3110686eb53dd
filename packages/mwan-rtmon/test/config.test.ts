import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rtmonConfigFromText } from '../src/config.js';
import { parseArgs } from '../src/args.js';
import { ConfigError } from '../src/errors.js';

const FILE = '/etc/config/mwan';

test('config: interface order gives table ids, disabled ones included; rt_table_lookup list', () => {
  const c = rtmonConfigFromText([
    "config globals 'globals'",
    "\tlist rt_table_lookup '100'",
    "\tlist rt_table_lookup '101'",
    "config interface 'wan'",
    "\toption enabled '1'",
    "config interface 'wan6'",
    "\toption family 'ipv6'",
    "config interface 'wanb'",
    "\toption enabled '1'",
    "config member 'wan_m1'",
    "\toption interface 'wan'",
  ].join('\n'), FILE);
  assert.deepEqual(c, {
    interfaces: [
      { name: 'wan', table: 1, family: 4, enabled: true },
      { name: 'wan6', table: 2, family: 6, enabled: false },
      { name: 'wanb', table: 3, family: 4, enabled: true },
    ],
    rtTableLookup: [100, 101],
  });
});

test('config: a bad config is a ConfigError naming file:line and field', () => {
  let err: ConfigError | undefined;
  try { rtmonConfigFromText("config interface 'wan'\n\toption family 'ipv5'\n", FILE); } catch (e) { err = e as ConfigError; }
  assert.ok(err instanceof ConfigError);
  assert.equal(err.code, 'ERR_CONFIG');
  assert.equal(err.file, FILE);
  assert.equal(err.line, 2);
  assert.match(err.message, /^\/etc\/config\/mwan:2: /);
});

test('args: -s and -c, unknown flags rejected', () => {
  assert.deepEqual(parseArgs(['-s', '/tmp/u.sock', '-c', '/tmp/cfg']), { socket: '/tmp/u.sock', configDir: '/tmp/cfg', verbose: false });
  assert.deepEqual(parseArgs([]), { socket: undefined, configDir: '/etc/config', verbose: false });
  assert.throws(() => parseArgs(['-x']), { code: 'ERR_USAGE' });
  assert.throws(() => parseArgs(['-s']), { code: 'ERR_USAGE' });
});
