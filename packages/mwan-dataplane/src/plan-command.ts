/**
 * `mwan plan -c DIR [--state FILE] [--json]`: prints the desired nft table, ip rules and routes for
 * the config (and observed state) without touching the kernel.
 */
import { readFile } from 'node:fs/promises';
import type { LoadResult, MwanConfig } from 'mwan-config';
import { PlanError } from './errors.js';
import { fromMwanConfig } from './plan/from-config.js';
import { plan } from './plan/plan.js';
import { renderDesired } from './plan/render.js';
import { checkWanState, isValidCidr, isValidDeviceName, isValidGateway, MAX_LATENCY_MS } from './plan/validate.js';
import type { PlanConfig, PlanState, TrackStatus, WanState } from './plan/types.js';

/** A write function (mwan-cli's CommandIo) or a stream-like object. */
export type PlanOut = ((s: string) => unknown) | { write(s: string): unknown };

export interface PlanIo {
  stdout: PlanOut;
  stderr: PlanOut;
  /** loads and validates `<dir>/mwan`; defaults to mwan-config's loadConfig */
  loadConfig?: (dir: string) => Promise<LoadResult> | LoadResult;
}

const USAGE = 'usage: mwan plan [-c DIR] [--state FILE] [--json]\n';
const STATUSES: TrackStatus[] = ['online', 'offline', 'connecting', 'disconnecting', 'disabled', 'unknown'];

/** Returns the exit code: 0 ok, 1 config/state error, 64 usage. */
export async function runPlan(argv: readonly string[], rawIo: PlanIo): Promise<number> {
  const w = (o: PlanOut) => (typeof o === 'function' ? { write: o } : o);
  const io = { stdout: w(rawIo.stdout), stderr: w(rawIo.stderr), ...(rawIo.loadConfig ? { loadConfig: rawIo.loadConfig } : {}) };
  let dir = '/etc/config';
  let stateFile: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '-c' || a === '--state') && argv[i + 1] === undefined) { io.stderr.write(`mwan plan: ${a} needs a value\n${USAGE}`); return 64; }
    if (a === '-c') dir = argv[++i]!;
    else if (a === '--state') stateFile = argv[++i]!;
    else if (a === '--json') json = true;
    else if (a === '-h' || a === '--help') { io.stdout.write(USAGE); return 0; }
    else { io.stderr.write(`mwan plan: unknown argument ${a}\n${USAGE}`); return 64; }
  }
  try {
    const cfg = await loadPlanConfig(dir, io);
    if (!cfg) return 1;
    const state = stateFile ? parseState(await readFile(stateFile, 'utf8'), stateFile) : assumeAllOnline(cfg);
    if (stateFile) checkStateAgainstConfig(cfg, state, stateFile);
    const d = plan(cfg, state);
    if (json) io.stdout.write(JSON.stringify(d, null, 2) + '\n');
    else {
      if (!stateFile) io.stdout.write('# state: no --state given; every enabled interface assumed online on a device named like it\n');
      io.stdout.write(renderDesired(d));
    }
    return 0;
  } catch (e) {
    if (e instanceof PlanError) { io.stderr.write(`mwan plan: ${e.message}\n`); return 1; }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') { io.stderr.write(`mwan plan: ${(e as Error).message}\n`); return 1; }
    throw e;
  }
}

async function loadPlanConfig(dir: string, io: { stderr: { write(s: string): unknown }; loadConfig?: PlanIo['loadConfig'] }): Promise<PlanConfig | undefined> {
  let load = io.loadConfig;
  if (!load) {
    const mod = (await import('mwan-config')) as Record<string, unknown>;
    if (typeof mod.loadConfig !== 'function') throw new PlanError('NOT_IMPLEMENTED', 'mwan-config has no loadConfig yet');
    load = mod.loadConfig as (dir: string) => Promise<LoadResult>;
  }
  const res = await load(dir);
  for (const w of res.warnings) io.stderr.write(`${w.file}:${w.line}: ${w.message}\n`);
  if (!res.config) {
    for (const e of res.errors) io.stderr.write(`${e.file}:${e.line}: ${e.message}\n`);
    return undefined;
  }
  return fromMwanConfig(res.config as MwanConfig);
}

function assumeAllOnline(cfg: PlanConfig): PlanState {
  const wans: Record<string, WanState> = {};
  // section names may be longer than an interface name can be (15)
  for (const i of cfg.interfaces) if (i.enabled) wans[i.name] = { up: true, status: 'online', device: i.name.slice(0, 15) };
  // other interfaces rules name in src_iface (lan): up, with a device named after them too
  const devices: Record<string, string> = {};
  for (const r of cfg.rules) if (r.srcIface && !cfg.interfaces.some((i) => i.name === r.srcIface)) devices[r.srcIface] = r.srcIface.slice(0, 15);
  return { wans, devices };
}

/** What only the config knows (the WAN's family): the gateway and addresses must be of it. */
function checkStateAgainstConfig(cfg: PlanConfig, state: PlanState, file: string): void {
  for (const i of cfg.interfaces) {
    const st = state.wans[i.name];
    if (!st) continue;
    try { checkWanState(i.name, i.family, st); } catch (e) {
      if (!(e instanceof PlanError)) throw e;
      throw new PlanError('BAD_STATE_FILE', `${file}: wans.${e.field ?? i.name}: ${e.message}`, { field: `wans.${e.field ?? i.name}`, cause: e });
    }
  }
}

/**
 * State file: {"wans": {"<iface>": {up, status, device?, gateway?, addresses?, lossPct?, latencyMs?}},
 * "devices"?: {"<iface>": "<device>"}} (devices: other interfaces rules name in src_iface, e.g. lan).
 * Every value is checked here (BAD_STATE_FILE naming the file and field); the family of gateway and
 * addresses is checked against the config by runPlan before planning.
 */
export function parseState(text: string, file: string): PlanState {
  let doc: unknown;
  try { doc = JSON.parse(text); } catch (e) { throw new PlanError('BAD_STATE_FILE', `${file}: not JSON (${(e as Error).message})`); }
  const wans = (doc as { wans?: unknown })?.wans;
  if (typeof wans !== 'object' || wans === null || Array.isArray(wans)) throw new PlanError('BAD_STATE_FILE', `${file}: "wans" must be an object`);
  const out: Record<string, WanState> = {};
  for (const [name, v] of Object.entries(wans as Record<string, Record<string, unknown>>)) {
    const where = `${file}: wans.${name}`;
    if (typeof v !== 'object' || v === null) throw new PlanError('BAD_STATE_FILE', `${where} must be an object`);
    const status = (v.status ?? 'online') as TrackStatus;
    if (!STATUSES.includes(status)) throw new PlanError('BAD_STATE_FILE', `${where}.status: "${String(v.status)}" is not one of ${STATUSES.join(', ')}`);
    const s: WanState = { up: v.up !== false, status };
    if (v.up !== undefined && typeof v.up !== 'boolean') throw new PlanError('BAD_STATE_FILE', `${where}.up must be true or false`);
    const bad = (k: string, why: string): never => { throw new PlanError('BAD_STATE_FILE', `${where}.${k}: ${JSON.stringify(v[k])} ${why}`, { field: `wans.${name}.${k}` }); };
    if (v.device !== undefined) {
      if (!isValidDeviceName(v.device)) bad('device', 'is not a valid interface name');
      s.device = v.device as string;
    }
    if (v.gateway !== undefined) {
      if (typeof v.gateway !== 'string' || !(isValidGateway(v.gateway, 'ipv4') || isValidGateway(v.gateway, 'ipv6'))) bad('gateway', 'is not an IP address');
      s.gateway = v.gateway as string;
    }
    if (v.addresses !== undefined) {
      if (!Array.isArray(v.addresses) || !v.addresses.every((a) => isValidCidr(a, 'ipv4') || isValidCidr(a, 'ipv6'))) bad('addresses', 'is not a list of addresses or CIDRs');
      s.addresses = [...(v.addresses as string[])];
    }
    if (v.lossPct !== undefined) {
      if (typeof v.lossPct !== 'number' || !(v.lossPct >= 0 && v.lossPct <= 100)) bad('lossPct', 'is not a number from 0 to 100');
      s.lossPct = v.lossPct as number;
    }
    if (v.latencyMs !== undefined) {
      if (typeof v.latencyMs !== 'number' || !(v.latencyMs >= 0 && v.latencyMs <= MAX_LATENCY_MS)) bad('latencyMs', `is not a number from 0 to ${MAX_LATENCY_MS}`);
      s.latencyMs = v.latencyMs as number;
    }
    out[name] = s;
  }
  const devices = (doc as { devices?: unknown }).devices;
  if (devices === undefined) return { wans: out };
  if (typeof devices !== 'object' || devices === null || Array.isArray(devices)) throw new PlanError('BAD_STATE_FILE', `${file}: "devices" must be an object of interface → device`);
  for (const [name, d] of Object.entries(devices)) {
    if (!isValidDeviceName(d)) throw new PlanError('BAD_STATE_FILE', `${file}: devices.${name}: ${JSON.stringify(d)} is not a valid interface name`, { field: `devices.${name}` });
  }
  return { wans: out, devices: { ...(devices as Record<string, string>) } };
}
