/**
 * libuci's name rules (util.c uci_validate_str and friends) and its anonymous section names
 * (list.c uci_fixup_section: `cfg` + n_section as %02x + djb hash of the type as %04x).
 */

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function validateStr(str: string, name: boolean, pkg: boolean): boolean {
  if (str.length === 0) return false;
  for (const ch of Buffer.from(str, 'utf8')) {
    if (isAlnum(ch) || ch === 0x5f) continue;
    if (ch === 0x2d && pkg) continue;
    if (name || ch < 33 || ch > 126) return false;
  }
  return true;
}

/** Package (config file) names: letters, digits, `_` and `-`. */
export function isValidPackageName(s: string): boolean {
  return validateStr(s, false, true);
}

/** Names on a `package` line (next_arg with name and package set): letters, digits, `_`, `-`. */
export function isValidPackageLineName(s: string): boolean {
  return validateStr(s, true, true);
}

/** Section types: any printable ASCII without spaces. */
export function isValidType(s: string): boolean {
  return validateStr(s, false, false);
}

/** Section and option names: letters, digits and `_`. */
export function isValidName(s: string): boolean {
  return validateStr(s, true, false);
}

/** Values: no control characters other than tab, CR and LF. */
export function isValidText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return true;
}

/** D. J. Bernstein's hash as libuci runs it: 32-bit unsigned, signed chars (x86), top bit cleared. */
export function djbHash(hash: number | null, str: string): number {
  let h = hash === null ? 5381 : hash;
  for (const b of Buffer.from(str, 'utf8')) {
    const c = b > 127 ? b - 256 : b;
    h = (Math.imul(h, 33) + c) >>> 0;
  }
  return (h & 0x7fffffff) >>> 0;
}

/**
 * Name of a new anonymous section. libuci names it when it is created, before it has options, so
 * only the type enters the hash; `nSection` is the package's counter after counting this section.
 */
export function anonymousName(nSection: number, type: string): string {
  const hash = djbHash(null, type) % 65536;
  return `cfg${nSection.toString(16).padStart(2, '0')}${hash.toString(16).padStart(4, '0')}`;
}
