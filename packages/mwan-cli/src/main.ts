/** `mwan`: wires process argv/stdio to the command table. */
import { dispatch } from './commands.js';

process.exitCode = await dispatch(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
});
