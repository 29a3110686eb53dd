/**
 * `mwan start|stop|restart`, as mwan3's: run the init script (default /etc/init.d/mwan, or
 * $MWAN_INIT) with that one argument, stdio inherited, and exit with its status
 * (docs/ubus-api.md, "The mwan command").
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { ExitCode } from './context.js';
import { exitStatus } from './use-plan.js';

/** The procd init script of init/mwan, as installed. */
export const DEFAULT_INIT_SCRIPT = '/etc/init.d/mwan';
/** Names another init script (tests, a lab). */
export const INIT_SCRIPT_ENV = 'MWAN_INIT';

export const INIT_ACTIONS = ['start', 'stop', 'restart'] as const;
export type InitAction = (typeof INIT_ACTIONS)[number];

export interface InitIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** The init script to run: $MWAN_INIT when set and not empty, else /etc/init.d/mwan. */
export function initScriptPath(env: NodeJS.ProcessEnv): string {
  const v = env[INIT_SCRIPT_ENV];
  return v ? v : DEFAULT_INIT_SCRIPT;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs `<script> <action>`: argv, never a shell string. No arguments of its own (64); a
 * missing or unrunnable script → 4. Signals mwan gets meanwhile are passed on, so the exit
 * status is always the script's (128+N when a signal ended it).
 */
export async function runInitScript(action: InitAction, argv: readonly string[], io: InitIo, script: string): Promise<number> {
  if (argv.length > 0) {
    io.stderr(`mwan ${action}: takes no arguments (got '${argv[0]}'); it runs ${script} ${action}\n`);
    return ExitCode.USAGE;
  }
  if (!existsSync(script)) {
    io.stderr(`mwan ${action}: ${script} not found (is mwan installed? $${INIT_SCRIPT_ENV} names another init script)\n`);
    return ExitCode.NOT_IMPLEMENTED;
  }
  const child = spawn(script, [action], { stdio: 'inherit' });
  const forward = (s: NodeJS.Signals) => { child.kill(s); };
  for (const s of SIGNALS) process.on(s, forward);
  try {
    return await new Promise<number>((resolve) => {
      child.once('error', (err) => {
        io.stderr(`mwan ${action}: cannot run ${script}: ${err.message}\n`);
        resolve(ExitCode.NOT_IMPLEMENTED);
      });
      child.once('exit', (code, signal) => resolve(exitStatus(code, signal, constants.signals)));
    });
  } finally {
    for (const s of SIGNALS) process.off(s, forward);
  }
}

/** The dispatcher entries `start`, `stop`, `restart`; the script is looked up when one runs. */
export function initCommandDefs(env: NodeJS.ProcessEnv = process.env): Record<InitAction, { summary: string; run: (argv: string[], io: InitIo) => Promise<number> }> {
  const entry = (action: InitAction, what: string) => ({
    summary: `${action}   ${what}: runs ${DEFAULT_INIT_SCRIPT} ${action} ($${INIT_SCRIPT_ENV} names another script)`,
    run: (argv: string[], io: InitIo) => runInitScript(action, argv, io, initScriptPath(env)),
  });
  return {
    start: entry('start', 'Start mwand and mwan-rtmon (procd service mwan)'),
    stop: entry('stop', 'Stop the mwan service and its trackers'),
    restart: entry('restart', 'Stop and start the mwan service'),
  };
}
