/**
 * The in-memory shape of a UCI package, as libuci keeps it: ordered sections, ordered options,
 * string or list values. Lines are 1-based and point to where the value was last written.
 */

export interface UciStringOption {
  name: string;
  type: 'string';
  value: string;
  line: number;
}

export interface UciListOption {
  name: string;
  type: 'list';
  values: string[];
  line: number;
  /** Line of each list item, same order as `values`. */
  lines: number[];
}

export type UciOption = UciStringOption | UciListOption;

export interface UciSection {
  /** Given name, or the generated `cfgNNHHHH` of an anonymous section. */
  name: string;
  type: string;
  anonymous: boolean;
  options: UciOption[];
  line: number;
  /** Lines of later `config` headers that re-opened this named section (libuci merges them). */
  redefined?: number[];
}

export interface UciPackage {
  name: string;
  sections: UciSection[];
  /** libuci's n_section: sections ever allocated, feeds anonymous names. */
  nSection: number;
  /** File the package was read from, when any. */
  file: string | null;
}

/** libuci's delta commands; the character is the line prefix delta.c writes. */
export const DELTA_PREFIX = {
  add: '+',
  remove: '-',
  change: '',
  rename: '@',
  reorder: '^',
  list_add: '|',
  list_del: '~',
} as const;
export type DeltaCommand = keyof typeof DELTA_PREFIX;

/** One staged change. */
export interface UciDelta {
  cmd: DeltaCommand;
  section: string;
  option: string | null;
  value: string | null;
}

export function newPackage(name: string, file: string | null = null): UciPackage {
  return { name, sections: [], nSection: 0, file };
}

/** Value of an option as a list (a string option is a one-item list). */
export function optionValues(o: UciOption): string[] {
  return o.type === 'list' ? o.values : [o.value];
}

export function findSection(p: UciPackage, name: string): UciSection | undefined {
  return p.sections.find((s) => s.name === name);
}

export function findOption(s: UciSection, name: string): UciOption | undefined {
  return s.options.find((o) => o.name === name);
}

/** Deep copy, so a caller can mutate without touching a cached original. */
export function clonePackage(p: UciPackage): UciPackage {
  return {
    name: p.name,
    nSection: p.nSection,
    file: p.file,
    sections: p.sections.map((s) => ({
      ...s,
      options: s.options.map((o) => (o.type === 'list' ? { ...o, values: [...o.values], lines: [...o.lines] } : { ...o })),
    })),
  };
}
