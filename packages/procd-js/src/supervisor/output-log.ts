/**
 * Where instances' stdout/stderr lines go (procd sends them to syslog with ident
 * `argv0[pid]`). procd-ts writes them to `<dir>/<service>.<instance>.log` when a log directory is
 * given, and/or to its own stderr prefixed with `<service>.<instance> argv0[pid]:`.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface OutputLine {
  service: string;
  instance: string;
  pid: number;
  argv0: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface OutputLog {
  write(line: OutputLine): void;
  close(): Promise<void>;
}

/** Names that cannot escape the directory. */
const safe = (s: string): string => s.replace(/[^A-Za-z0-9_.@+-]/g, '_').replace(/^\.+/, '_');

export function logFileName(service: string, instance: string): string {
  return `${safe(service)}.${safe(instance)}.log`;
}

export function formatLine(line: OutputLine, withTime: Date | undefined): string {
  const tag = `${line.argv0}[${line.pid}]${line.stream === 'stderr' ? ' (stderr)' : ''}`;
  return withTime ? `${withTime.toISOString()} ${tag}: ${line.text}\n` : `${line.service}.${line.instance} ${tag}: ${line.text}\n`;
}

export function createOutputLog(opts: { dir?: string; toStderr: boolean; stderr?: NodeJS.WritableStream }): OutputLog {
  const files = new Map<string, WriteStream>();
  if (opts.dir) mkdirSync(opts.dir, { recursive: true });
  const errStream = opts.stderr ?? process.stderr;
  return {
    write(line) {
      if (opts.dir) {
        const name = logFileName(line.service, line.instance);
        let f = files.get(name);
        if (!f) {
          f = createWriteStream(join(opts.dir, name), { flags: 'a' });
          files.set(name, f);
        }
        f.write(formatLine(line, new Date()));
      }
      if (opts.toStderr) errStream.write(formatLine(line, undefined));
    },
    async close() {
      await Promise.all([...files.values()].map((f) => new Promise<void>((resolve) => f.end(resolve))));
      files.clear();
    },
  };
}
