/**
 * The part of libubox's json_script that procd triggers use: `if`/`case`/`return` commands,
 * `eq`/`regex`/`has`/`and`/`or`/`not` expressions, `%var%` expansion in command arguments, and the
 * one command procd implements, `run_script`. Pure: evaluating a script returns the argv lists
 * to run.
 */

type Vars = Record<string, unknown>;

/** Looks a variable up in the event data: strings as they are, numbers and booleans as text. */
function findVar(vars: Vars, name: string): string | undefined {
  const v = vars[name];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  return undefined;
}

function matches(value: string, pattern: unknown, regex: boolean): boolean | undefined {
  const one = (p: string): boolean => {
    if (!regex) return value === p;
    try {
      return new RegExp(p).test(value);
    } catch {
      return false;
    }
  };
  if (typeof pattern === 'string') return one(pattern);
  if (Array.isArray(pattern)) {
    if (!pattern.every((p) => typeof p === 'string')) return undefined;
    return pattern.some((p) => one(p as string));
  }
  return undefined;
}

/** Evaluates an expression: true, false, or undefined when it is malformed (json_script's -1). */
function evalExpr(expr: unknown, vars: Vars): boolean | undefined {
  if (!Array.isArray(expr) || typeof expr[0] !== 'string') return undefined;
  switch (expr[0]) {
    case 'eq':
    case 'regex': {
      if (typeof expr[1] !== 'string' || expr[2] === undefined) return undefined;
      const v = findVar(vars, expr[1]);
      if (v === undefined) return false;
      return matches(v, expr[2], expr[0] === 'regex');
    }
    case 'has': {
      const names = typeof expr[1] === 'string' ? [expr[1]] : Array.isArray(expr[1]) ? expr[1] : undefined;
      if (!names) return undefined;
      return names.some((n) => typeof n === 'string' && findVar(vars, n) !== undefined);
    }
    case 'and':
    case 'or': {
      let seen = false;
      for (const sub of expr.slice(1)) {
        const r = evalExpr(sub, vars);
        if (r === undefined) return undefined;
        seen = true;
        if (expr[0] === 'and' && !r) return false;
        if (expr[0] === 'or' && r) return true;
      }
      return expr[0] === 'and' ? seen : false;
    }
    case 'not': {
      const r = evalExpr(expr[1], vars);
      return r === undefined ? undefined : !r;
    }
    default:
      return undefined;
  }
}

/** `%name%` expansion as json_script's eval_string: `%%` is a literal percent, unknown names expand to nothing. */
export function expandString(pattern: string, vars: Vars): string | undefined {
  const parts = pattern.split('%');
  if (parts.length % 2 === 0) return undefined; // unterminated variable reference
  let out = '';
  parts.forEach((part, i) => {
    if (i % 2 === 0) out += part;
    else out += part === '' ? '%' : findVar(vars, part) ?? '';
  });
  return out;
}

const RETURN = Symbol('return');

function runCommand(cmd: unknown, vars: Vars, out: string[][]): typeof RETURN | void {
  if (!Array.isArray(cmd)) return;
  if (typeof cmd[0] !== 'string') {
    // a list of commands
    for (const c of cmd) if (runCommand(c, vars, out) === RETURN) return RETURN;
    return;
  }
  switch (cmd[0]) {
    case 'if': {
      const r = evalExpr(cmd[1], vars);
      if (r === undefined) return;
      const branch = r ? cmd[2] : cmd[3];
      return branch === undefined ? undefined : runCommand(branch, vars, out);
    }
    case 'case': {
      if (typeof cmd[1] !== 'string' || typeof cmd[2] !== 'object' || cmd[2] === null) return;
      const v = findVar(vars, cmd[1]);
      if (v === undefined) return;
      const branch = (cmd[2] as Record<string, unknown>)[v];
      return branch === undefined ? undefined : runCommand(branch, vars, out);
    }
    case 'return':
      return RETURN;
    case 'run_script': {
      const argv: string[] = [];
      for (const a of cmd.slice(1)) {
        if (typeof a !== 'string') return;
        const s = expandString(a, vars);
        if (s === undefined) return;
        argv.push(s);
      }
      if (argv.length > 0) out.push(argv);
      return;
    }
    default:
      return;
  }
}

/** Runs a trigger's script against an event's data; returns the run_script argv lists in order. */
export function evaluateScript(script: unknown, vars: Vars): string[][] {
  const out: string[][] = [];
  runCommand(script, vars, out);
  return out;
}

export interface TriggerRule {
  /** event type; a trailing `.*` matches a prefix (procd's trigger_match) */
  type: string;
  script: unknown[];
  /** delay in ms before the command runs; repeated events within it are coalesced */
  delayMs: number;
}

/** Parses a `triggers` array as procd's trigger_add does: malformed rules are skipped. */
export function parseTriggers(raw: unknown): TriggerRule[] {
  if (!Array.isArray(raw)) return [];
  const rules: TriggerRule[] = [];
  for (const r of raw) {
    if (!Array.isArray(r)) continue;
    const [type, script, timeout] = r;
    if (typeof type !== 'string' || !Array.isArray(script)) continue;
    rules.push({ type, script, delayMs: typeof timeout === 'number' && Number.isInteger(timeout) && timeout > 0 ? timeout : 0 });
  }
  return rules;
}

/** procd's trigger_match: `a.*` matches every type starting with `a.`'s prefix `a`. */
export function triggerMatches(eventType: string, ruleType: string): boolean {
  const i = ruleType.indexOf('.*');
  if (i >= 0) return eventType.startsWith(ruleType.slice(0, i));
  return eventType === ruleType;
}
