import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SECTIONS } from '../src/index.js';

const docs = readFileSync(join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', 'docs', 'config.md'), 'utf8');

test('docs/config.md documents every option of every section with its default', () => {
  for (const s of Object.values(SECTIONS)) {
    assert.match(docs, new RegExp(`### ${s.type}\\n`), s.type);
    for (const d of [...s.options, ...s.deprecated]) assert.ok(docs.includes(`| \`${d.uci}\` |`), `${s.type}.${d.uci}`);
  }
});
