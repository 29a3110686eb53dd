/**
 * `mwan-lab [--script] [--interactive] [--short]`: the whole system on simulated uplinks.
 * Wires the topology, the router stack, the story and the terminal; cleans up on exit and on
 * Ctrl-C. `--script` runs the story unattended and exits 1 if any expectation failed.
 */
import { defaultTopology } from './topology.js';
import { defaultStory, shortStory } from './story.js';
import { startLab, stopLab, playStory, renderSummary, type LabSession } from './run.js';
import { interactive } from './interactive.js';
import { ensurePrivileges } from './privileges.js';

const args = process.argv.slice(2);
const script = args.includes('--script');
const short = args.includes('--short');
const wantInteractive = args.includes('--interactive') || (!script && process.stdin.isTTY === true);
const USAGE = `usage: mwan-lab [--script] [--interactive] [--short]
  (no flag)      play the story with a live view, then interactive mode on a terminal
  --script       play the story unattended; exit 1 if an expectation failed
  --interactive  interactive mode (keys 1-3 break/heal a WAN, d degrades cable, q quits)
  --short        a shorter story: steady state, the main WAN dies, it recovers
Needs root, or unprivileged user namespaces (it re-runs itself in unshare -Urnm). See docs/lab.md.
`;
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const unknown = args.filter((a) => !['--script', '--interactive', '--short'].includes(a));
if (unknown.length) {
  process.stderr.write(`mwan-lab: unknown argument ${unknown[0]}\n${USAGE}`);
  process.exit(2);
}
if (!ensurePrivileges(process.argv.slice(1))) process.exit(0);

const topo = defaultTopology();
const story = short ? shortStory(topo) : defaultStory(topo);
const out = (s: string) => process.stdout.write(s + '\n');
const storyMs = story.reduce((n, s) => n + s.durationMs, 0) + 5000;
const totalMs = storyMs + (wantInteractive ? 30 * 60_000 : 0);

let session: LabSession | null = null;
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  if (session) await stopLab(session).catch((e) => process.stderr.write(`cleanup: ${String(e)}\n`));
  process.exit(code);
};
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));

out('mwan lab: 3 uplinks (fibre, cable, LTE) → one internet; a LAN client sends a new UDP flow every 50 ms');
out('starting namespaces, ubusd-ts, procd-ts, netifd-ts and /etc/init.d/mwan start ...');
try {
  session = await startLab(topo, totalMs);
  const summary = await playStory(session, { topo, story, out, live: process.stdout.isTTY === true });
  out('\n══ summary\n' + renderSummary(summary));
  const failed = summary.filter((r) => !r.ok).length;
  out(`\n${summary.length - failed} expectations met, ${failed} failed`);
  if (wantInteractive && !script) await interactive(session, topo, out);
  await shutdown(failed ? 1 : 0);
} catch (err) {
  process.stderr.write(`mwan-lab: ${err instanceof Error ? err.message : String(err)}\n`);
  if (session) for (const l of session.stack.log.slice(-40)) process.stderr.write(`  ${l}\n`);
  await shutdown(1);
}
