import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePackageText, parseUci, UciParseError } from '../src/index.js';

// Each bad text → the libuci reason, our 1-based line/column, and libuci's own "line N, byte M".
const CASES: { text: string; reason: string; line: number; column?: number; uci: string }[] = [
  { text: "option a 'b'\n", reason: 'option/list command found before the first section', line: 1, column: 1, uci: 'at line 1, byte 0' },
  { text: "config t 's'\nfoo bar\n", reason: 'invalid command', line: 2, column: 1, uci: 'at line 2, byte 0' },
  { text: "config t 's'\n\toption a 'unterminated\n", reason: "EOF with unterminated '", line: 2, uci: 'at line 2, byte 24' },
  { text: 'config t \'s\'\n\toption a "open\n', reason: 'EOF with unterminated "', line: 2, uci: 'at line 2, byte 16' },
  { text: "config t 'bad-name'\n", reason: 'invalid character in name field', line: 1, column: 21, uci: 'at line 1, byte 20' },
  { text: "config t 's'\n\toption bad.name v\n", reason: 'invalid character in name field', line: 2, column: 18, uci: 'at line 2, byte 17' },
  { text: "config t 's' extra\n", reason: 'too many arguments', line: 1, column: 20, uci: 'at line 1, byte 19' },
  { text: "config t 's'\n\toption\n", reason: 'invalid command', line: 2, column: 2, uci: 'at line 2, byte 1' },
  { text: "config t 's'\n\toption \n", reason: 'insufficient arguments', line: 2, column: 10, uci: 'at line 2, byte 9' },
  { text: 'config', reason: 'config without name', line: 1, column: 1, uci: 'at line 0, byte 0' },
  { text: "config a 's'\nconfig b 's'\n", reason: 'section of different type overwrites prior section with same name', line: 2, column: 14, uci: 'at line 2, byte 13' },
  { text: "config 't\"x' 's'\nconfig t y$\n", reason: 'invalid character in name field', line: 2, column: 13, uci: 'at line 2, byte 12' },
  { text: "config 'with space' s\n", reason: 'invalid character in type field', line: 1, column: 21, uci: 'at line 1, byte 20' },
  { text: 'package\n', reason: 'invalid command', line: 1, column: 1, uci: 'at line 1, byte 0' },
  { text: 'package bad.name\n', reason: 'invalid character in name field', line: 1, column: 18, uci: 'at line 1, byte 17' },
];

for (const c of CASES) {
  test(`parse error: ${JSON.stringify(c.text)} → ${c.reason}`, () => {
    let err: unknown;
    try {
      parsePackageText(c.text, 'test', '/etc/config/test');
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof UciParseError, `expected a parse error, got ${String(err)}`);
    assert.equal(err.code, 'ERR_UCI_PARSE');
    assert.equal(err.reason, c.reason);
    assert.equal(err.file, '/etc/config/test');
    assert.equal(err.line, c.line);
    if (c.column !== undefined) assert.equal(err.column, c.column);
    assert.equal(err.message, `/etc/config/test:${c.line}: ${c.reason}`);
    assert.equal(err.uciMessage, `Parse error (${c.reason}) ${c.uci}`);
  });
}

test('import without a package name fails', () => {
  assert.throws(() => parseUci("config t 's'\n"), (e: unknown) => e instanceof UciParseError && e.reason === 'attempting to import a file without a package name');
});

test('duplicate package in one import is ERR_UCI_DUPLICATE', () => {
  assert.throws(() => parseUci("package a\nconfig t 's'\npackage a\n"), { code: 'ERR_UCI_DUPLICATE' });
});

test('collect mode reports every bad line and keeps the good ones', () => {
  const r = parseUci("config t 's'\nbad 1\n\toption ok 'v'\nworse 2\nconfig t 'u'\n", { name: 'x', file: 'f', collect: true });
  assert.deepEqual(r.errors.map((e) => [e.line, e.reason]), [
    [2, 'invalid command'],
    [4, 'invalid command'],
  ]);
  assert.deepEqual(r.packages[0]?.sections.map((s) => s.name), ['s', 'u']);
});

test('non-strict mode accepts extra arguments and type changes like uci -S', () => {
  const r = parseUci("config a 's' extra\nconfig b 's'\n", { name: 'x', strict: false });
  assert.equal(r.errors.length, 0);
  assert.equal(r.packages[0]?.sections[0]?.type, 'b');
});
