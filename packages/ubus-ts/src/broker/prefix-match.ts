/**
 * ubusd keeps event patterns and ACL entries in a string-sorted tree (a key with a trailing `*`
 * is stored without it and marked partial) and walks it with `ubus_strmatch_len`: a key matches
 * when it equals the name, or is partial and a prefix of it. The walk stops as soon as the number
 * of leading characters shared with the name decreases, which the sort order makes safe. This
 * module reproduces that walk so that matching (including its early stop) is ubusd's.
 */

/** strcmp order over UTF-16 code units; equal to byte order for the ASCII names ubus uses. */
export function strcmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Length of the common prefix, and whether the strings are equal (ubus_strmatch_len). */
export function strmatchLen(s1: string, s2: string): { full: boolean; len: number } {
  const n = Math.min(s1.length, s2.length);
  let i = 0;
  while (i < n && s1.charCodeAt(i) === s2.charCodeAt(i)) i++;
  return { full: i === s1.length && i === s2.length, len: i };
}

export interface PrefixKeyed {
  /** the key without its trailing `*` */
  readonly key: string;
  readonly partial: boolean;
}

/** A sorted multiset of keyed entries (duplicates kept in insertion order, as avl with dup). */
export class SortedPrefixList<T extends PrefixKeyed> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  insert(item: T): void {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (strcmp(this.items[mid]!.key, item.key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, item);
  }

  remove(item: T): void {
    const i = this.items.indexOf(item);
    if (i >= 0) this.items.splice(i, 1);
  }

  removeWhere(pred: (item: T) => boolean): void {
    this.items = this.items.filter((x) => !pred(x));
  }

  /** Every entry matching `name`, in tree order, with ubusd's early stop. */
  *matches(name: string): Generator<T> {
    let matchLen = 0;
    for (const item of this.items) {
      const m = strmatchLen(name, item.key);
      if (m.len < matchLen) break;
      matchLen = m.len;
      if (!m.full) {
        if (!item.partial) continue;
        if (matchLen !== item.key.length) continue;
      }
      yield item;
    }
  }
}

/** Splits `foo*` into key `foo`, partial. */
export function parsePattern(pattern: string): { key: string; partial: boolean } {
  return pattern.endsWith('*') ? { key: pattern.slice(0, -1), partial: true } : { key: pattern, partial: false };
}
