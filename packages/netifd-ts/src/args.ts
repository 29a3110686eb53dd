/** Command-line flags of netifd-ts. */
import { readFileSync } from 'node:fs';
import { NetifdUsageError } from './errors.js';
import { checkUnique, parseDescription, parseInterfaceFlag, type InterfaceSpec } from './spec.js';

export interface NetifdArgs {
  socket: string | undefined;
  interfaces: InterfaceSpec[];
  verbose: boolean;
}

export const USAGE = 'usage: netifd-ts [-s UBUS_SOCKET] (--interface NAME=DEVICE[,proto=P][,dns=ADDR]... | --config FILE.json)... [-v]';

/** Parses argv; `readFile` is injectable for tests. */
export function parseArgs(argv: readonly string[], readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): NetifdArgs {
  const out: NetifdArgs = { socket: undefined, interfaces: [], verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v === '') throw new NetifdUsageError(a, 'needs a value');
      return v;
    };
    if (a === '-s') out.socket = value();
    else if (a === '--interface' || a === '-i') out.interfaces.push(parseInterfaceFlag(value()));
    else if (a === '--config') {
      const file = value();
      let text: string;
      try { text = readFile(file); } catch (cause) { throw new NetifdUsageError(file, `cannot read: ${(cause as Error).message}`, { cause }); }
      out.interfaces.push(...parseDescription(text, file));
    } else if (a === '-v') out.verbose = true;
    else if (a === '-h' || a === '--help') throw new NetifdUsageError('netifd-ts', USAGE);
    else throw new NetifdUsageError(a, `unknown argument; ${USAGE}`);
  }
  if (out.interfaces.length === 0) throw new NetifdUsageError('netifd-ts', `no interfaces given; ${USAGE}`);
  checkUnique(out.interfaces);
  return out;
}
