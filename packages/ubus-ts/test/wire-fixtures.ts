/**
 * Reads the ubusd wire captures in ../shared/fixtures/ubus-wire (beside the repo): each
 * `=== #N connK direction TYPE` block has a `raw (N bytes): hex` line, a decoded header line and
 * one line per top-level attribute.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WireFixture {
  file: string;
  index: number;
  conn: number;
  direction: string;
  typeName: string;
  raw: Uint8Array;
  header: { version: number; type: number; seq: number; peer: number };
  /** top-level attrs in wire order: name (e.g. OBJID), id, len, and the decoded scalar when given */
  attrs: { name: string; id: number; len: number; scalar?: string }[];
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repo root (pnpm-workspace.yaml) not found');
    dir = up;
  }
  return dir;
}

export const FIXTURE_DIR = resolve(repoRoot(), '..', 'shared', 'fixtures', 'ubus-wire');

export function hex(s: string): Uint8Array {
  const clean = s.trim().split(/\s+/).filter(Boolean);
  return Uint8Array.from(clean.map((b) => parseInt(b, 16)));
}

export function loadWireFixtures(): WireFixture[] {
  if (!existsSync(FIXTURE_DIR)) throw new Error(`ubus wire fixtures not found at ${FIXTURE_DIR}`);
  const out: WireFixture[] = [];
  for (const file of readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.txt')).sort()) {
    const lines = readFileSync(join(FIXTURE_DIR, file), 'utf8').split('\n');
    let cur: WireFixture | null = null;
    for (const line of lines) {
      const head = /^=== #(\d+) conn(\d+) (\S+) (\w+)/.exec(line);
      if (head) {
        cur = { file, index: +head[1]!, conn: +head[2]!, direction: head[3]!, typeName: head[4]!, raw: new Uint8Array(0), header: { version: -1, type: -1, seq: -1, peer: -1 }, attrs: [] };
        out.push(cur);
        continue;
      }
      if (!cur) continue;
      const raw = /^raw \((\d+) bytes\): ([0-9a-f ]+)$/.exec(line);
      if (raw) {
        cur.raw = hex(raw[2]!);
        if (cur.raw.length !== +raw[1]!) throw new Error(`${file} #${cur.index}: raw length mismatch`);
        continue;
      }
      const hdr = /^  header \[[0-9a-f ]+\]: version=(\d+) type=(\d+)\(\w+\) seq=(\d+) peer=0x([0-9a-f]+)/.exec(line);
      if (hdr) {
        cur.header = { version: +hdr[1]!, type: +hdr[2]!, seq: +hdr[3]!, peer: parseInt(hdr[4]!, 16) };
        continue;
      }
      const attr = /^    \[[0-9a-f ]+\] UBUS_ATTR_(\w+) id=(\d+) len=(\d+)(?: payload \[[0-9a-f ]+\] = (.*))?$/.exec(line);
      if (attr) cur.attrs.push({ name: attr[1]!, id: +attr[2]!, len: +attr[3]!, ...(attr[4] !== undefined ? { scalar: attr[4] } : {}) });
    }
  }
  return out.filter((f) => f.raw.length > 0);
}
