import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportPackage, parsePackageText, type UciPackage, type UciSection } from '../src/index.js';

/** mulberry32: small seeded generator, so every failure is reproducible from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAME_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'];
// Values may hold anything uci can store: quotes, backslashes, #, ;, spaces, tabs, newlines, UTF-8.
const VALUE_CHARS = ["'", '"', '\\', '#', ';', ' ', '\t', '\n', 'a', 'b', 'Z', '0', '9', '.', '/', ':', '-', '=', '$', 'é', '€'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function name(r: () => number): string {
  let s = '';
  const n = 1 + Math.floor(r() * 8);
  for (let i = 0; i < n; i++) s += pick(r, NAME_CHARS);
  return s;
}

function value(r: () => number, allowEmpty: boolean): string {
  let s = '';
  const n = (allowEmpty ? 0 : 1) + Math.floor(r() * 12);
  for (let i = 0; i < n; i++) s += pick(r, VALUE_CHARS);
  return s;
}

function randomPackage(r: () => number): UciPackage {
  const p: UciPackage = { name: 'rt', sections: [], nSection: 0, file: null };
  const used = new Set<string>();
  const ns = Math.floor(r() * 6);
  for (let i = 0; i < ns; i++) {
    const anonymous = r() < 0.3;
    let sname = name(r);
    while (used.has(sname) || /^cfg/.test(sname)) sname = name(r);
    used.add(sname);
    const s: UciSection = { name: anonymous ? '' : sname, type: name(r), anonymous, options: [], line: 0 };
    const onames = new Set<string>();
    const no = Math.floor(r() * 5);
    for (let j = 0; j < no; j++) {
      const oname = name(r);
      if (onames.has(oname)) continue;
      onames.add(oname);
      if (r() < 0.4) {
        const values = Array.from({ length: 1 + Math.floor(r() * 3) }, () => value(r, true));
        s.options.push({ name: oname, type: 'list', values, line: 0, lines: values.map(() => 0) });
      } else {
        s.options.push({ name: oname, type: 'string', value: value(r, false), line: 0 });
      }
    }
    p.sections.push(s);
  }
  return p;
}

function shape(p: UciPackage): unknown {
  return p.sections.map((s) => [s.anonymous ? '' : s.name, s.type, s.options.map((o) => [o.name, o.type, o.type === 'list' ? o.values : o.value])]);
}

test('round trip: export → parse reproduces the package and the same text (500 seeded packages)', () => {
  for (let seed = 1; seed <= 500; seed++) {
    const p = randomPackage(rng(seed));
    const text = exportPackage(p);
    const back = parsePackageText(text, 'rt').package;
    assert.deepEqual(shape(back), shape(p), `seed ${seed}`);
    assert.equal(exportPackage(back), text, `seed ${seed}: re-export differs`);
  }
});

test('round trip with anonymous names kept (uci -n) re-reads the same names', () => {
  for (let seed = 1000; seed < 1100; seed++) {
    const p = parsePackageText(exportPackage(randomPackage(rng(seed))), 'rt').package;
    const named = exportPackage(p, { exportNames: true });
    const back = parsePackageText(named, 'rt').package;
    assert.deepEqual(back.sections.map((s) => s.name), p.sections.map((s) => s.name), `seed ${seed}`);
  }
});

test('random byte soup never crashes the parser: it parses or throws a UciParseError', () => {
  const chars = ["'", '"', '\\', '#', ';', ' ', '\t', '\n', '\r', 'c', 'o', 'l', 'p', 'config', 'option', 'list', 'package', 'x', '_', '-', '.'];
  for (let seed = 1; seed <= 2000; seed++) {
    const r = rng(seed);
    let text = '';
    const n = Math.floor(r() * 40);
    for (let i = 0; i < n; i++) text += pick(r, chars);
    try {
      parsePackageText(text, 'fz');
    } catch (e) {
      assert.equal((e as { code?: string }).code, 'ERR_UCI_PARSE', `seed ${seed}: ${JSON.stringify(text)} → ${String(e)}`);
    }
  }
});
