/**
 * The part of /etc/config/mwan rtmon needs, through mwan-config (the same loader and checks
 * mwand uses, so both accept and refuse the same files): interface sections in order (name,
 * enabled, family; table id = 1-based position) and globals rt_table_lookup.
 */
import { loadConfig, loadConfigText, type LoadResult, type MwanConfig } from 'mwan-config';
import { ConfigError } from './errors.js';
import type { Family } from './netlink/ip.js';

export interface RtmonInterface {
  name: string;
  /** routing table id = 1-based position among interface sections (disabled included) */
  table: number;
  family: Family;
  enabled: boolean;
}

export interface RtmonConfig {
  interfaces: RtmonInterface[];
  rtTableLookup: number[];
}

/** rtmon's view of a loaded config model (pure). */
export function rtmonConfig(c: MwanConfig): RtmonConfig {
  return {
    interfaces: c.interfaces.map((i) => ({ name: i.name, table: i.id, family: i.family === 'ipv6' ? 6 : 4, enabled: i.enabled })),
    rtTableLookup: [...c.globals.rtTableLookup],
  };
}

function fromResult(r: LoadResult): RtmonConfig {
  if (!r.config) {
    const e = r.errors[0];
    const more = r.errors.length > 1 ? ` (and ${r.errors.length - 1} more)` : '';
    throw new ConfigError(`${e?.code ?? 'ERR_MWAN_CONFIG'}: ${e?.message ?? 'invalid config'}${more}`, e?.file ?? 'mwan', e?.line ?? 0, e?.field ?? undefined);
  }
  return rtmonConfig(r.config);
}

/** Reads and checks `<dir>/mwan`; throws ConfigError (file:line: ...) when it is not usable. */
export async function loadRtmonConfig(dir: string): Promise<RtmonConfig> {
  return fromResult(loadConfig(dir));
}

/** Same from text (tests, `file` names it in errors). */
export function rtmonConfigFromText(text: string, file: string): RtmonConfig {
  return fromResult(loadConfigText(text, file));
}
