/**
 * Helper process for concurrency.test.ts (not a test itself): commits `count` changes to
 * `<conf>/<pkg>`, option `<prefix><i>`, each through its own save dir, as fast as it can.
 * argv: conf save pkg prefix count
 */
import { UciContext, parsePtr, resolvePtr, setValue } from '../src/index.js';

const [conf, save, pkg, prefix, count] = process.argv.slice(2) as [string, string, string, string, string];
const ctx = new UciContext({ confdir: conf, savedir: save, lockTimeoutMs: 20000 });
for (let i = 0; i < Number(count); i++) {
  const lp = ctx.load(pkg);
  setValue(resolvePtr(lp.package, parsePtr(`${pkg}.s.${prefix}${i}=${i}`)), lp.delta);
  ctx.commit(lp);
}
