/** JSON in and out of the CLI, as json-c + libubox's blobmsg_json do it (table-driven). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlobmsgType, type BlobmsgNode } from '../src/wire/index.js';
import { formatJsonList, formatDouble, quote } from '../src/cli/json-format.js';
import { parseJsonMessage } from '../src/cli/json-parse.js';
import { parseArgs } from '../src/cli/args.js';

test('parse: integers by size, doubles by spelling, booleans, null, nesting', () => {
  const cases: Array<[string, BlobmsgNode[] | null]> = [
    ['{}', []],
    [' { "a" : 1 } ', [{ type: BlobmsgType.INT32, name: 'a', value: 1 }]],
    ['{"a":2147483648}', [{ type: BlobmsgType.INT64, name: 'a', value: 2147483648n }]],
    ['{"a":-2147483648}', [{ type: BlobmsgType.INT32, name: 'a', value: -2147483648 }]],
    ['{"a":99999999999999999999}', [{ type: BlobmsgType.INT64, name: 'a', value: (1n << 63n) - 1n }]],
    ['{"a":1.0}', [{ type: BlobmsgType.DOUBLE, name: 'a', value: 1 }]],
    ['{"a":1e3}', [{ type: BlobmsgType.DOUBLE, name: 'a', value: 1000 }]],
    ['{"t":true,"f":false}', [{ type: BlobmsgType.INT8, name: 't', value: 1 }, { type: BlobmsgType.INT8, name: 'f', value: 0 }]],
    ['{"n":null}', [{ type: BlobmsgType.UNSPEC, name: 'n', value: new Uint8Array(0) }]],
    ['{"s":"a\\u00e9\\n"}', [{ type: BlobmsgType.STRING, name: 's', value: 'a\u00e9\n' }]],
    ['{"l":[1,"x"]}', [{ type: BlobmsgType.ARRAY, name: 'l', value: [{ type: BlobmsgType.INT32, name: '', value: 1 }, { type: BlobmsgType.STRING, name: '', value: 'x' }] }]],
    ['{"o":{"k":"v"}}', [{ type: BlobmsgType.TABLE, name: 'o', value: [{ type: BlobmsgType.STRING, name: 'k', value: 'v' }] }]],
    // json-c keeps the last value of a repeated key
    ['{"a":1,"b":2,"a":3}', [{ type: BlobmsgType.INT32, name: 'a', value: 3 }, { type: BlobmsgType.INT32, name: 'b', value: 2 }]],
    ['[1]', null],
    ['"x"', null],
    ['{', null],
    ['{"a":}', null],
    // json_tokener_parse ignores what follows the first complete value
    ['{"a":1} x', [{ type: BlobmsgType.INT32, name: 'a', value: 1 }]],
    ['', null],
  ];
  for (const [text, want] of cases) assert.deepEqual(parseJsonMessage(text), want, text);
});

test('format: blobmsg_format_json spelling, flat and indented', () => {
  const nodes: BlobmsgNode[] = [
    { type: BlobmsgType.INT16, name: 'i16', value: -3 },
    { type: BlobmsgType.INT64, name: 'i64', value: -(2n ** 40n) },
    { type: BlobmsgType.DOUBLE, name: 'd', value: 0.1 },
    { type: BlobmsgType.INT8, name: 'b', value: 2 },
    { type: BlobmsgType.UNSPEC, name: 'u', value: new Uint8Array(0) },
    { type: BlobmsgType.ARRAY, name: 'e', value: [] },
  ];
  assert.equal(formatJsonList(nodes, false), '{"i16":-3,"i64":-1099511627776,"d":0.100000,"b":true,"u":null,"e":[]}');
  assert.equal(
    formatJsonList(nodes, false, { indent: 0 }),
    '{\n\t"i16": -3,\n\t"i64": -1099511627776,\n\t"d": 0.100000,\n\t"b": true,\n\t"u": null,\n\t"e": [\n\t\t\n\t]\n}',
  );
  assert.equal(formatJsonList([], false, { indent: 0 }), '{\n\t\n}');
  assert.equal(formatDouble(-2.5), '-2.500000');
  assert.equal(formatDouble(1e22), '10000000000000000000000.000000');
  assert.equal(quote('a"b\\c\td\u0001/é'), '"a\\"b\\\\c\\td\\u0001/é"');
});

test('args: getopt-style options anywhere, -t sets both timeouts, -m/-M for monitor', () => {
  const r = parseArgs(['-s', '/tmp/s', 'call', 'x', 'y', '-t', '7', '-Sv']);
  assert.ok(r.ok);
  assert.equal(r.opts.socket, '/tmp/s');
  assert.equal(r.opts.timeoutSec, 7);
  assert.equal(r.opts.listenTimeoutSec, 7);
  assert.equal(r.opts.simple, true);
  assert.equal(r.opts.verbose, 1);
  assert.equal(r.opts.command, 'call');
  assert.deepEqual(r.opts.args, ['x', 'y']);
  const m = parseArgs(['-m', 'invoke', '-mstatus', '-M', 't', 'monitor']);
  assert.ok(m.ok);
  assert.equal(m.opts.monitorMask, (1 << 5) | (1 << 1));
  assert.equal(m.opts.monitorDir, 1);
  // atoi: no digits means 0 (no timeout)
  const t0 = parseArgs(['-t', 'abc', 'list']);
  assert.ok(t0.ok);
  assert.equal(t0.opts.timeoutSec, 0);
  const dd = parseArgs(['--', 'call', '-x']);
  assert.ok(dd.ok);
  assert.equal(dd.opts.command, 'call');
  assert.deepEqual(dd.opts.args, ['-x']);
  assert.equal(parseArgs(['-m', 'bogus', 'monitor']).ok, false);
  assert.equal(parseArgs(['-s']).ok, false);
  assert.equal(parseArgs([]).ok, false);
});
