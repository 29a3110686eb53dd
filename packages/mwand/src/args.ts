/** mwand's command line: `mwand -s SOCK -c DIR [--hook PATH] ...` (every path a flag). */
import { MwandError, MwandErrorCode } from './errors.js';

export interface MwandArgs {
  /** ubus socket */
  socket: string;
  /** UCI config dir; the config is <dir>/mwan */
  configDir: string;
  /** user hook; falls back to /etc/mwan3.user when this does not exist */
  hook: string;
  hookFallback: string;
  hookTimeoutMs: number;
  /** argv prefix that starts a tracker */
  trackCommand: string[];
  /** network namespace the dataplane acts in (tests, lab); default the current one */
  netns?: string;
  /** 'kernel' (default) or 'recording' (no kernel changes: runs anywhere, for development) */
  dataplane: 'kernel' | 'recording';
  /** coalescing window for event bursts, ms */
  coalesceMs: number;
  /**
   * remove the kernel state on SIGTERM (mwand before 2026-11; default: keep it, so a restart,
   * an upgrade or procd replacing the instance never interrupts routing; `/etc/init.d/mwan
   * stop` removes it through the `teardown` ubus method)
   */
  teardownOnExit: boolean;
  /**
   * run: the daemon; check: validate the config and exit (`--check`); teardown: remove mwan's
   * kernel state without a bus and exit (`--teardown-now`, the init script's stop when mwand is gone)
   */
  mode: 'run' | 'check' | 'teardown';
}

export const USAGE = `Usage: mwand [-s SOCKET] [-c CONFIG_DIR] [--hook PATH] [--hook-timeout SECONDS]
             [--track-command PATH] [--netns NAME] [--dataplane kernel|recording] [--coalesce MS]
             [--teardown-on-exit]
       mwand --check [-c CONFIG_DIR]
       mwand --teardown-now [-c CONFIG_DIR] [--netns NAME]
  -s SOCKET             ubus socket (default /var/run/ubus/ubus.sock)
  -c CONFIG_DIR         UCI config dir, reads CONFIG_DIR/mwan (default /etc/config)
  --hook PATH           user hook (default /etc/mwan.user; /etc/mwan3.user when it does not exist)
  --hook-timeout S      kill a hook still running after S seconds (default 10)
  --track-command PATH  tracker program procd starts per WAN (default mwan-track; repeat for argv)
  --netns NAME          apply the dataplane inside this network namespace
  --dataplane MODE      kernel (default) or recording (changes nothing, for development)
  --coalesce MS         wait this long after the first event of a burst (default 20)
  --teardown-on-exit    on SIGTERM remove table inet mwan, mwan's ip rules and WAN routes
                        (default: leave them, traffic keeps flowing; /etc/init.d/mwan stop
                        removes them with \`ubus call mwan teardown\`)
  --keep-on-exit        the default; accepted for old command lines
  --check               validate CONFIG_DIR/mwan as start/reload would, print the errors, exit 1
                        when it would be refused (no bus needed)
  --teardown-now        remove table inet mwan, mwan's ip rules and every route of the WAN
                        tables now and exit (no bus needed; for when mwand is not running)`;

export function parseArgs(argv: readonly string[]): MwandArgs {
  const a: MwandArgs = {
    socket: '/var/run/ubus/ubus.sock',
    configDir: '/etc/config',
    hook: '/etc/mwan.user',
    hookFallback: '/etc/mwan3.user',
    hookTimeoutMs: 10_000,
    trackCommand: [],
    dataplane: 'kernel',
    coalesceMs: 20,
    teardownOnExit: false,
    mode: 'run',
  };
  const bad = (m: string): never => {
    throw new MwandError(MwandErrorCode.USAGE, `mwand: ${m}\n${USAGE}`);
  };
  for (let k = 0; k < argv.length; k++) {
    const flag = argv[k]!;
    const val = (): string => {
      const v = argv[++k];
      if (v === undefined || v === '') bad(`${flag} needs a value`);
      return v!;
    };
    switch (flag) {
      case '-s':
        a.socket = val();
        break;
      case '-c':
        a.configDir = val();
        break;
      case '--hook':
        a.hook = val();
        break;
      case '--hook-fallback':
        a.hookFallback = val();
        break;
      case '--hook-timeout': {
        const v = val();
        if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) bad(`--hook-timeout: "${v}" is not a positive number of seconds`);
        a.hookTimeoutMs = Number(v) * 1000;
        break;
      }
      case '--track-command':
        a.trackCommand.push(val());
        break;
      case '--netns':
        a.netns = val();
        break;
      case '--dataplane': {
        const v = val();
        if (v !== 'kernel' && v !== 'recording') bad(`--dataplane: "${v}" is not kernel or recording`);
        a.dataplane = v as 'kernel' | 'recording';
        break;
      }
      case '--coalesce': {
        const v = val();
        if (!/^\d+$/.test(v)) bad(`--coalesce: "${v}" is not a number of ms`);
        a.coalesceMs = Number(v);
        break;
      }
      case '--keep-on-exit':
        a.teardownOnExit = false;
        break;
      case '--teardown-on-exit':
        a.teardownOnExit = true;
        break;
      case '--check':
        if (a.mode === 'teardown') bad('--check and --teardown-now exclude each other');
        a.mode = 'check';
        break;
      case '--teardown-now':
        if (a.mode === 'check') bad('--check and --teardown-now exclude each other');
        a.mode = 'teardown';
        break;
      case '-h':
      case '--help':
        bad('help');
        break;
      default:
        bad(`unknown argument "${flag}"`);
    }
  }
  if (a.trackCommand.length === 0) a.trackCommand = ['mwan-track'];
  return a;
}
