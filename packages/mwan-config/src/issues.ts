/**
 * Config issues (errors and warnings) and the ConfigError thrown by `loadConfigOrThrow`.
 * Every issue names file:line and the `section.option` field; codes are stable.
 */
import type { ConfigIssue } from './types.js';

/** `file:line: code: message`, the form `mwan check` prints. */
export function formatIssue(i: ConfigIssue): string {
  return `${i.file}:${i.line}: ${i.code}: ${i.message}`;
}

/** Thrown when a config has errors; carries all of them (and the warnings). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ERR_MWAN_CONFIG';
  readonly errors: ConfigIssue[];
  readonly warnings: ConfigIssue[];
  constructor(errors: ConfigIssue[], warnings: ConfigIssue[] = [], options?: { cause?: unknown }) {
    super(errors.map(formatIssue).join('\n') || 'invalid config', options);
    this.errors = errors;
    this.warnings = warnings;
  }
}

/** Collects issues while a config is checked. */
export class IssueList {
  readonly errors: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];
  constructor(readonly file: string) {}

  error(code: string, line: number, field: string | null, message: string): void {
    this.errors.push({ severity: 'error', code, file: this.file, line, field, message });
  }

  warn(code: string, line: number, field: string | null, message: string): void {
    this.warnings.push({ severity: 'warning', code, file: this.file, line, field, message });
  }

  /** Issues sorted by line, stable for equal lines. */
  sorted(): { errors: ConfigIssue[]; warnings: ConfigIssue[] } {
    const by = (a: ConfigIssue, b: ConfigIssue): number => a.line - b.line;
    return { errors: [...this.errors].sort(by), warnings: [...this.warnings].sort(by) };
  }
}
