/**
 * The file backend with libuci's delta layer (file.c + delta.c + libuci.c): packages live in
 * `<confdir>/<name>`, staged changes in `<savedir>/<name>`, extra read-only delta directories
 * (`uci -p`) are replayed before the save directory. `commit` re-reads the config under the
 * package lock and replays every delta on top, so a change another process committed meanwhile
 * is kept; the new file is written to a temp file and renamed over the old one.
 */
import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { UciError, type UciParseError } from './errors.js';
import { exportPackage } from './export.js';
import { acquireLock } from './lock.js';
import { isValidPackageName } from './names.js';
import type { UciDelta, UciPackage } from './model.js';
import { formatDelta, parseDeltaText, replayDeltas, type ParsedDelta } from './delta.js';
import { parsePackageText } from './parse.js';

export const DEFAULT_CONFDIR = '/etc/config';
export const DEFAULT_SAVEDIR = '/tmp/.uci';

export interface UciContextOptions {
  confdir?: string;
  savedir?: string;
  /** Stop at the first syntax error (default true, like libuci). */
  strict?: boolean;
  /** Name anonymous sections when exporting/committing (`uci -n`). */
  exportNames?: boolean;
  lockTimeoutMs?: number;
  /** Override directory (libuci's conf2dir; the `uci` CLI defaults it to /var/run/uci). Default none. */
  conf2dir?: string | null;
  /** Called for each syntax error skipped in non-strict mode (libuci's UCI_FLAG_PERROR). */
  onParseError?: (e: UciParseError) => void;
}

/** A package as loaded through the context, with its delta bookkeeping. */
export interface LoadedPackage {
  package: UciPackage;
  /** Config file path. */
  path: string;
  /** Staging applies (file under confdir); false for a file given by path (written directly). */
  hasDelta: boolean;
  /** Changes made since load, not yet saved to the save directory. */
  delta: UciDelta[];
  /** Changes already staged on disk, in replay order (what `uci changes` shows). */
  savedDelta: UciDelta[];
}

function modeOf(path: string): number | null {
  try {
    return statSync(path).mode & 0o7777;
  } catch {
    return null;
  }
}

function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new UciError('ERR_UCI_IO', `${path}: ${code}`, { cause: e });
  }
}

export class UciContext {
  confdir: string;
  savedir: string;
  /** Directories whose delta files are replayed, in order; the save directory is always last. */
  deltaPaths: string[];
  strict: boolean;
  exportNames: boolean;
  /** Override directory (`uci -C`, libuci's conf2dir): a config file found there is used instead. */
  conf2dir: string | null;
  onParseError: ((e: UciParseError) => void) | null;
  /** How many config files `load` has opened (the CLI's batch mode follows libuci's parse context by it). */
  filesOpened = 0;
  private readonly lockTimeoutMs: number;

  constructor(opts: UciContextOptions = {}) {
    this.confdir = opts.confdir ?? DEFAULT_CONFDIR;
    this.savedir = opts.savedir ?? DEFAULT_SAVEDIR;
    this.deltaPaths = [this.savedir];
    this.strict = opts.strict ?? true;
    this.exportNames = opts.exportNames ?? false;
    this.lockTimeoutMs = opts.lockTimeoutMs ?? 5000;
    this.onParseError = opts.onParseError ?? null;
    this.conf2dir = opts.conf2dir ?? null;
  }

  /** uci_set_savedir (`-t`/`-P`): the save directory moves to the end of the delta paths. */
  setSavedir(dir: string): void {
    this.deltaPaths = this.deltaPaths.filter((d) => d !== dir);
    this.deltaPaths.push(dir);
    this.savedir = dir;
  }

  /** uci_add_delta_path (`-p`): replayed before the save directory. */
  addDeltaPath(dir: string): void {
    if (this.deltaPaths.includes(dir)) throw new UciError('ERR_UCI_DUPLICATE');
    this.deltaPaths.splice(this.deltaPaths.length - 1, 0, dir);
  }

  /** Config file path of a package name (or the name itself when it is a path). */
  pathOf(name: string): string {
    if (name.startsWith('/') || name.startsWith('./')) return name;
    if (!isValidPackageName(name)) throw new UciError('ERR_UCI_INVAL');
    return join(this.confdir, name);
  }

  /**
   * Where `import` writes a package (uci_config_path: `<confdir>/<name>` for any valid package
   * name, which may contain `/` and `.`). libuci creates the file, then its temp file
   * `<confdir>/.<name>.uci-XXXXXX`; when that one's directory does not exist the import fails
   * with an I/O error (`x/y`, `/abs`), while `./rel` lands in `<confdir>/rel`.
   */
  importPath(name: string): string {
    if (!isValidPackageName(name)) throw new UciError('ERR_UCI_INVAL');
    const path = `${this.confdir}/${name}`;
    if (!name.includes('/')) return path;
    try {
      closeSync(openSync(path, 'a', 0o600));
    } catch (e) {
      throw new UciError('ERR_UCI_IO', `${path}: ${(e as Error).message}`, { cause: e });
    }
    if (!existsSync(dirname(`${this.confdir}/.${name}`))) throw new UciError('ERR_UCI_IO', `${path}: no directory for the temp file`);
    return path;
  }

  private lockPath(path: string): string {
    return join(dirname(path), `.${basename(path)}.uci-lock`);
  }

  private withLock<T>(path: string, fn: () => T): T {
    const release = acquireLock(this.lockPath(path), { timeoutMs: this.lockTimeoutMs });
    try {
      return fn();
    } finally {
      release();
    }
  }

  private readDeltas(name: string): ParsedDelta[] {
    const out: ParsedDelta[] = [];
    for (const dir of this.deltaPaths) {
      const file = join(dir, name);
      const text = readIfExists(file);
      if (text !== null) out.push(...parseDeltaText(text, file));
    }
    return out;
  }

  private parseFile(name: string, path: string, text: string): UciPackage {
    const r = parsePackageText(text, name, path, this.strict);
    if (this.onParseError) for (const e of r.errors) this.onParseError(e);
    return r.package;
  }

  /** uci_load: the config file with every staged delta applied. Throws ERR_UCI_NOTFOUND. */
  load(name: string): LoadedPackage {
    let path = this.pathOf(name);
    const isPath = name.includes('/');
    // uci_file_load: a file of that name in the override directory (conf2dir) wins; changes to
    // it are still staged in the save directory and commit writes it there
    if (!isPath && this.conf2dir !== null) {
      const over = join(this.conf2dir, name);
      if (existsSync(over)) path = over;
    }
    const pkgName = basename(path);
    let st;
    try {
      st = statSync(path);
    } catch {
      throw new UciError('ERR_UCI_NOTFOUND');
    }
    if (!st.isFile()) throw new UciError('ERR_UCI_NOTFOUND');
    this.filesOpened += 1;
    const hasDelta = !isPath;
    const pkg = this.parseFile(pkgName, path, readFileSync(path, 'utf8'));
    let savedDelta: UciDelta[] = [];
    if (hasDelta) savedDelta = replayDeltas(pkg, this.readDeltas(pkgName)).saved;
    return { package: pkg, path, hasDelta, delta: [], savedDelta };
  }

  /** uci_list_configs: files of the config dir whose names are valid packages, sorted. */
  listConfigs(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.confdir);
    } catch {
      throw new UciError('ERR_UCI_NOTFOUND');
    }
    return names
      .filter((n) => !n.includes('.') && isValidPackageName(n))
      .filter((n) => {
        try {
          return !statSync(join(this.confdir, n)).isDirectory();
        } catch {
          return false;
        }
      })
      .sort();
  }

  private appendDeltas(lp: LoadedPackage): void {
    if (lp.delta.length === 0) return;
    // libuci: a missing save directory gets the config directory's mode (0700 without one);
    // a new delta file gets the mode of the config file of that name (0600 without one).
    if (!existsSync(this.savedir)) mkdirSync(this.savedir, { recursive: true, mode: modeOf(this.confdir) ?? 0o700 });
    const text = lp.delta.map((d) => formatDelta(lp.package.name, d)).join('');
    const mode = modeOf(join(this.confdir, lp.package.name)) ?? 0o600;
    appendFileSync(join(this.savedir, lp.package.name), text, { mode });
    lp.savedDelta.push(...lp.delta);
    lp.delta = [];
  }

  /** uci_save: stage pending changes (or write the file directly for a package given by path). */
  save(lp: LoadedPackage): void {
    if (!lp.hasDelta) {
      this.commit(lp);
      return;
    }
    if (lp.delta.length === 0) return;
    this.withLock(lp.path, () => this.appendDeltas(lp));
  }

  /**
   * uci_commit: stage pending changes, re-read the config file under the lock, replay all deltas
   * and write the result atomically; the save directory's delta file is then emptied. Nothing is
   * written when there is nothing to apply. `overwrite` writes `lp.package` as it is (import).
   * Returns true when the file was (re)written.
   */
  commit(lp: LoadedPackage, overwrite = false): boolean {
    const path = overwrite && !lp.path ? this.pathOf(lp.package.name) : lp.path;
    return this.withLock(path, () => {
      let pkg = lp.package;
      let flush = false;
      if (lp.hasDelta && !overwrite) {
        this.appendDeltas(lp);
        const text = readIfExists(path) ?? '';
        pkg = this.parseFile(lp.package.name, path, text);
        const { applied } = replayDeltas(pkg, this.readDeltas(lp.package.name));
        if (applied === 0) {
          lp.package = pkg;
          lp.savedDelta = [];
          return false;
        }
        flush = true;
      }
      const written = writeAtomic(path, exportPackage(pkg, { exportNames: this.exportNames }));
      if (flush) {
        const deltaFile = join(this.savedir, lp.package.name);
        if (existsSync(deltaFile)) truncateSync(deltaFile, 0);
      }
      lp.package = pkg;
      lp.savedDelta = [];
      return written;
    });
  }

  /**
   * uci_revert: drop staged changes of a package, or of one section / option, from the save
   * directory's delta file; returns the package reloaded.
   */
  revert(name: string, section: string | null = null, option: string | null = null): LoadedPackage {
    const path = this.pathOf(name);
    this.withLock(path, () => {
      const file = join(this.savedir, name);
      const text = readIfExists(file);
      if (text === null) return;
      // uci_filter_delta: one malformed line aborts the whole revert (the file is left as it
      // is, no error); other lines are written back normalized, under this package's name
      let parsed: ParsedDelta[];
      try {
        parsed = parseDeltaText(text, file, true);
      } catch {
        return;
      }
      const keep = parsed.filter((d) => {
        let match = true;
        if (section !== null && d.section !== section) match = false;
        if (match && option !== null && d.option !== option) match = false;
        return !match;
      });
      const out = keep.map((d) => formatDelta(name, d)).join('');
      writeAtomic(file, out, 0o600);
    });
    return this.load(name);
  }
}

/**
 * Write `text` to `path` through a temp file in the same directory and rename; keeps the old
 * file's mode. Returns false (and writes nothing) when the file already holds exactly `text`.
 */
export function writeAtomic(path: string, text: string, defaultMode = 0o600): boolean {
  if (readIfExists(path) === text) return false;
  let target = path;
  // a new file is created as libuci creates it: open(O_CREAT, 0600) under the umask
  let mode = defaultMode & ~process.umask();
  try {
    target = realpathSync(path);
    mode = statSync(target).mode & 0o7777;
  } catch {
    // new file
  }
  const tmp = join(dirname(target), `.${basename(target)}.uci-${randomBytes(3).toString('hex')}`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw new UciError('ERR_UCI_IO', `${tmp}: ${(e as Error).message}`, { cause: e });
  }
  closeSync(fd);
  try {
    chmodSync(tmp, mode);
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // best effort
    }
    throw new UciError('ERR_UCI_IO', `${target}: ${(e as Error).message}`, { cause: e });
  }
  return true;
}
