/**
 * mwand's one-shot modes, used by the init script without a bus:
 *  - `--check`: load and validate the config as `start`/`reload` would (schema, cross-checks and
 *    the dataplane planner), print the errors, exit 1 when it would be refused.
 *  - `--teardown-now`: remove mwan's kernel state when mwand is not running (`/etc/init.d/mwan
 *    stop` after mwand exited, e.g. a restart whose new config was refused). Mask and WAN tables
 *    come from the config when it loads; else from what the file still says (interface
 *    sections in order, globals' mmx_mask when it is a usable mask), else mwan3's default
 *    mask. The tables mwan's ip rules look up are added either way (adapters/teardown.ts).
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_MASK, markSpace, plan as planDesired, type DataplaneBackend } from 'mwan-dataplane';
import { parseUci } from 'uci-js';
import type { CoreConfig } from './core/model.js';
import { emptyState } from './core/model.js';
import { ConfigRejectedError } from './errors.js';
import { toPlanConfig, toPlanState } from './adapters/dataplane.js';
import type { RouteTables } from './adapters/route-tables.js';
import { teardown, type TeardownReport } from './adapters/teardown.js';

export interface OneshotDeps {
  /** the config file's path, for messages (and read again when it does not validate) */
  configFile: string;
  loadConfig(): Promise<CoreConfig>;
  log(m: string): void;
}

/** The config as mwand would take it, or the errors that make it refuse it. */
export async function validate(loadConfig: () => Promise<CoreConfig>): Promise<{ config?: CoreConfig; errors: string[] }> {
  let config: CoreConfig;
  try {
    config = await loadConfig();
  } catch (err) {
    if (err instanceof ConfigRejectedError) return { errors: [...err.errors] };
    return { errors: [(err as Error).message] };
  }
  try {
    // the same refusal as Controller.start(): a plan that cannot be made for this config
    planDesired(toPlanConfig(config), toPlanState(emptyState(config)));
  } catch (err) {
    return { errors: [(err as Error).message] };
  }
  return { config, errors: [] };
}

/** `mwand --check`: 0 when mwand would take the config, 1 (errors on the log) when not. */
export async function checkNow(d: OneshotDeps): Promise<number> {
  const r = await validate(d.loadConfig);
  if (r.errors.length === 0) return 0;
  d.log(`${d.configFile}: configuration rejected:\n${r.errors.join('\n')}`);
  return 1;
}

/** `mwand --teardown-now`: 0 when the kernel state is gone (or was), 1 when a kernel call failed. */
export async function teardownNow(d: OneshotDeps & { backend: DataplaneBackend; routeTables?: RouteTables }): Promise<number> {
  const r = await validate(d.loadConfig);
  let mask = DEFAULT_MASK;
  let tables: number[] = [];
  if (r.config) {
    mask = r.config.globals.mmxMask;
    tables = r.config.interfaces.map((i) => i.id);
  } else {
    ({ mask, tables } = roughLayout(d.configFile));
    d.log(`${d.configFile} does not validate (${r.errors[0] ?? 'rejected'}); removing with mmx_mask 0x${mask.toString(16)}, tables ${tables.join(',') || '-'} and those mwan's ip rules look up`);
  }
  let rep: TeardownReport;
  try {
    rep = await teardown(d.backend, mask, tables, d.routeTables);
  } catch (err) {
    d.log(`teardown failed: ${(err as Error).message}`);
    return 1;
  }
  // `stop` of a service that left nothing behind stays quiet
  if (rep.table || rep.ipRules || rep.routes) d.log(`teardown: removed ${rep.table ? 'table inet mwan, ' : ''}${rep.ipRules} ip rules, ${rep.routes} routes`);
  return 0;
}

/**
 * What a config that does not validate still says about the kernel layout: the Nth `interface`
 * section uses table N, and globals' mmx_mask when it parses as a mask of at least 3 bits.
 * Unreadable or unparsable: mwan3's default mask and no tables.
 */
export function roughLayout(file: string): { mask: number; tables: number[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { mask: DEFAULT_MASK, tables: [] };
  }
  let sections;
  try {
    sections = parseUci(text, { name: 'mwan', file, strict: false, single: true }).packages[0]?.sections ?? [];
  } catch {
    return { mask: DEFAULT_MASK, tables: [] };
  }
  const tables = sections.filter((x) => x.type === 'interface').map((_, k) => k + 1);
  let mask = DEFAULT_MASK;
  const opt = sections.find((x) => x.type === 'globals')?.options.find((o) => o.name === 'mmx_mask');
  if (opt?.type === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(opt.value.trim())) {
    const m = Number(opt.value.trim());
    try {
      if (m > 0 && m <= 0xffffffff) {
        markSpace(m);
        mask = m;
      }
    } catch {
      // fewer than 3 bits: not a mask mwand could have used
    }
  }
  return { mask, tables: tables.filter((t) => t < 253) };
}
