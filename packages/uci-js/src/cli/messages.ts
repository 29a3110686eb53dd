/** The fixed texts and numbers of the `uci` CLI (cli.c, libuci): usage, errno values, strerror. */

export const APP = 'uci';
/** libuci's UCI_CONF2DIR. */
export const DEFAULT_CONF2DIR = '/var/run/uci';

export const USAGE = `Usage: ${APP} [<options>] <command> [<arguments>]

Commands:
\tbatch
\texport     [<config>]
\timport     [<config>]
\tchanges    [<config>]
\tcommit     [<config>]
\tadd        <config> <section-type>
\tadd_list   <config>.<section>.<option>=<string>
\tdel_list   <config>.<section>.<option>=<string>
\tshow       [<config>[.<section>[.<option>]]]
\tget        <config>.<section>[.<option>]
\tset        <config>.<section>[.<option>]=<value>
\tdelete     <config>[.<section>[[.<option>][=<id>]]]
\trename     <config>.<section>[.<option>]=<name>
\trevert     <config>[.<section>[.<option>]]
\treorder    <config>.<section>=<position>

Options:
\t-c <path>  set the search path for config files (default: /etc/config)
\t-C <path>  set the search path for config override files (default: /var/run/uci)
\t-d <str>   set the delimiter for list values in uci show
\t-f <file>  use <file> as input instead of stdin
\t-m         when importing, merge data into an existing package
\t-n         name unnamed sections on export (default)
\t-N         don't name unnamed sections
\t-p <path>  add a search path for config change files
\t-P <path>  add a search path for config change files and use as default
\t-t <path>  set save path for config change files
\t-q         quiet mode (don't print error messages)
\t-s         force strict mode (stop on parser errors, default)
\t-S         disable strict mode
\t-X         do not use extended syntax on 'show'

`;

/** libuci's error numbers, which `uci add` returns as its exit code. */
export const ERRNO: Record<string, number> = {
  ERR_UCI_INVAL: 2,
  ERR_UCI_NOTFOUND: 3,
  ERR_UCI_IO: 4,
  ERR_UCI_LOCKED: 4,
  ERR_UCI_PARSE: 5,
  ERR_UCI_DUPLICATE: 6,
};

/** strerror() texts for the errno names Node reports. */
export const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
};
