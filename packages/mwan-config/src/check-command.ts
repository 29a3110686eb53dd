/**
 * `mwan check [-c DIR] [--json]`: validate <DIR>/mwan and print every issue at once as
 * `file:line: code: message` (errors and warnings), or one JSON object with --json.
 * Exit 0 = no errors (warnings allowed), 1 = errors, 2 = usage.
 */
import { loadConfig } from './load.js';
import { formatIssue } from './issues.js';

export interface CheckIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const USAGE = 'Usage: mwan check [-c DIR] [--json]\n  -c DIR   UCI config directory (default /etc/config); checks DIR/mwan\n  --json   print {ok, file, errors, warnings} as JSON\n';

export async function runCheck(argv: string[], io: CheckIo): Promise<number> {
  let dir = '/etc/config';
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-c' || a === '--config-dir') {
      const v = argv[++i];
      if (v === undefined) {
        io.stderr(`mwan check: ${a} needs a directory\n${USAGE}`);
        return 2;
      }
      dir = v;
    } else if (a.startsWith('-c') && a.length > 2) dir = a.slice(2);
    else if (a === '--json') json = true;
    else if (a === '-h' || a === '--help') {
      io.stdout(USAGE);
      return 0;
    } else {
      io.stderr(`mwan check: unknown argument '${a}'\n${USAGE}`);
      return 2;
    }
  }
  const r = loadConfig(dir);
  const file = `${dir.replace(/\/+$/, '')}/mwan`;
  if (json) {
    io.stdout(JSON.stringify({ ok: r.errors.length === 0, file, errors: r.errors, warnings: r.warnings }, null, 2) + '\n');
  } else {
    const all = [...r.errors, ...r.warnings].sort((a, b) => a.line - b.line);
    for (const i of all) io.stdout(formatIssue(i) + '\n');
    const c = r.config;
    const summary = c
      ? `${file}: OK (${c.interfaces.length} interfaces, ${c.members.length} members, ${c.policies.length} policies, ${c.rules.length} rules), ${r.warnings.length} warning(s)`
      : `${file}: ${r.errors.length} error(s), ${r.warnings.length} warning(s)`;
    io.stderr(summary + '\n');
  }
  return r.errors.length === 0 ? 0 : 1;
}
