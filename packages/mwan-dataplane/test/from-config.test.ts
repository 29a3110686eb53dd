import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfigText } from 'mwan-config';
import { fromMwanConfig, plan } from '../src/index.js';

// the repository's default config (mwan3's default shape): wan, wan6, wanb, wanb6 ...
const defaultConfig = fileURLToPath(new URL('../../../../config/mwan', import.meta.url));

test('the default config, loaded by mwan-config, plans as mwan3 would run it', () => {
  const res = loadConfigText(readFileSync(defaultConfig, 'utf8'), defaultConfig);
  assert.ok(res.config, JSON.stringify(res.errors));
  const cfg = fromMwanConfig(res.config);
  assert.deepEqual(cfg.interfaces.map((i) => i.name).slice(0, 4), ['wan', 'wan6', 'wanb', 'wanb6']);
  const wans: Record<string, { up: boolean; status: 'online'; device: string }> = {};
  for (const i of cfg.interfaces) if (i.enabled) wans[i.name] = { up: true, status: 'online', device: `dev_${i.name}` };
  const d = plan(cfg, { wans });
  const wan = d.wans.find((w) => w.name === 'wan')!;
  assert.deepEqual([wan.id, wan.table, wan.mark], [1, 1, 0x100]);
  assert.ok(d.ipRules.some((r) => r.pref === 2001 && r.fwmark?.mark === 0x100 && r.table === 1));
  // every rule of the config appears in the family chains it applies to, in config order
  const labels = d.nft.chains.filter((c) => c.name.startsWith('rules_')).flatMap((c) => c.rules.map((r) => r.label));
  for (const r of cfg.rules) assert.ok(labels.includes(r.name), `rule ${r.name} planned`);
  for (const r of cfg.rules.filter((x) => x.sticky)) assert.ok(d.nft.chains.some((c) => c.name === `sticky_${r.name}_v4`), `sticky chain for ${r.name}`);
});
