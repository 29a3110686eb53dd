import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportPackage, parsePackageText, parseUci, resolvePtr, parsePtr, type UciPackage, type UciOption } from '../src/index.js';

function load(text: string, name = 'test'): UciPackage {
  return parsePackageText(text, name, name).package;
}

function opt(p: UciPackage, section: string, option: string): UciOption | undefined {
  return p.sections.find((s) => s.name === section)?.options.find((o) => o.name === option);
}

function value(p: UciPackage, section: string, option: string): string | string[] | undefined {
  const o = opt(p, section, option);
  if (!o) return undefined;
  return o.type === 'list' ? o.values : o.value;
}

// Fixtures: OpenWrt's own config files, libuci's test data (tests/shunit2/references) and the
// quoting forms uci documents. `export` is what `uci export` prints for the text.
const EXPORT_FIXTURES: { name: string; text: string; export: string }[] = [
  {
    name: 'libuci export.data: quoted names, multi-line single/double quoted values, \\ escapes',
    text:
      "config 'type' 'section'\n\toption 'opt' 'val'\n\tlist 'list_opt' 'val0'\n\tlist 'list_opt' 'val1'\n" +
      "\toption mul_line_opt_sq 'line 1\nline 2 \\\nline 3'\n\toption mul_line_opt_dq \"\\\"Hello\\, \\\nWorld.\\'\n\"\n",
    export:
      "package test\n\nconfig type 'section'\n\toption opt 'val'\n\tlist list_opt 'val0'\n\tlist list_opt 'val1'\n" +
      "\toption mul_line_opt_sq 'line 1\nline 2 \\\nline 3'\n\toption mul_line_opt_dq '\"Hello, World.'\\''\n'\n\n",
  },
  {
    name: "libuci import.data: '\\'' sequences outside quotes",
    text: "config 'type' 'section'\n\toption mul_line_opt_sq \\''line 1\nline 2 \\\nline 3'\\'\n",
    export: "package test\n\nconfig type 'section'\n\toption mul_line_opt_sq ''\\''line 1\nline 2 \\\nline 3'\\'''\n\n",
  },
  {
    name: 'OpenWrt network: anonymous device section, lists, unquoted values',
    text:
      "\nconfig interface 'loopback'\n\toption device 'lo'\n\toption proto 'static'\n\toption ipaddr '127.0.0.1'\n\toption netmask '255.0.0.0'\n\n" +
      "config globals 'globals'\n\toption ula_prefix 'fd12:3456:789a::/48'\n\n" +
      "config device\n\toption name 'br-lan'\n\toption type 'bridge'\n\tlist ports 'lan1'\n\tlist ports 'lan2'\n",
    export:
      "package test\n\nconfig interface 'loopback'\n\toption device 'lo'\n\toption proto 'static'\n\toption ipaddr '127.0.0.1'\n\toption netmask '255.0.0.0'\n\n" +
      "config globals 'globals'\n\toption ula_prefix 'fd12:3456:789a::/48'\n\n" +
      "config device\n\toption name 'br-lan'\n\toption type 'bridge'\n\tlist ports 'lan1'\n\tlist ports 'lan2'\n\n",
  },
  {
    name: 'sockd (libuci show_parsing_multiline.data): spaces as separators, multi-line value',
    text: "config main\n        option version  1.4.1\n\nconfig sockd 'instance0'\n        option enabled  1\n        list internal_network   vpn\n        option extra_config '\n\t\tuser: nobody\n\t\t} '\n",
    export: "package test\n\nconfig main\n\toption version '1.4.1'\n\nconfig sockd 'instance0'\n\toption enabled '1'\n\tlist internal_network 'vpn'\n\toption extra_config '\n\t\tuser: nobody\n\t\t} '\n\n",
  },
  {
    name: 'one-letter commands, ; separators, inline comments',
    text: "c t 'a'; o x 1 # comment\n\tl y 'p' ; l y q\n# full comment\n\t# indented comment\nconfig t b # c\n",
    export: "package test\n\nconfig t 'a'\n\toption x '1'\n\tlist y 'p'\n\tlist y 'q'\n\nconfig t 'b'\n\n",
  },
  {
    name: 'concatenated quoting styles and escapes outside quotes',
    text: "config t 's'\n\toption a \"x\"'y'z\n\toption b a\\ b\n\toption c \"tab\\there\"\n\toption d 'it'\"'\"'s'\n",
    export: "package test\n\nconfig t 's'\n\toption a 'xyz'\n\toption b 'a b'\n\toption c 'tabthere'\n\toption d 'it'\\''s'\n\n",
  },
  {
    name: 'unquoted continuation line joins the next line',
    text: "config t 's'\n\toption a abc\\\ndef\n",
    export: "package test\n\nconfig t 's'\n\toption a 'abcdef'\n\n",
  },
  {
    name: 'empty option value is dropped, empty list item is kept',
    text: "config t 's'\n\toption a ''\n\tlist b ''\n",
    export: "package test\n\nconfig t 's'\n\tlist b ''\n\n",
  },
  {
    name: 'repeated named section merges, later option wins, list then option replaces',
    text: "config t 's'\n\toption a 1\n\tlist l x\nconfig t 's'\n\toption a 2\n\toption l y\n",
    export: "package test\n\nconfig t 's'\n\toption a '2'\n\toption l 'y'\n\n",
  },
  {
    name: 'option then list turns the option into a list',
    text: "config t 's'\n\toption a 1\n\tlist a 2\n",
    export: "package test\n\nconfig t 's'\n\tlist a '1'\n\tlist a '2'\n\n",
  },
  {
    name: 'CRLF line endings',
    text: "config t 's'\r\n\toption a 'v'\r\n",
    export: "package test\n\nconfig t 's'\n\toption a 'v'\n\n",
  },
  {
    name: 'package line is ignored when loading a file; last line without newline',
    text: "package other\n\nconfig t 's'\n\toption a 'v'",
    export: "package test\n\nconfig t 's'\n\toption a 'v'\n\n",
  },
];

for (const f of EXPORT_FIXTURES) {
  test(`parse+export: ${f.name}`, () => {
    assert.equal(exportPackage(load(f.text), { header: true }), f.export);
  });
}

test('anonymous sections get the names libuci generates (values seen on OpenWrt devices)', () => {
  const network = load("config interface 'loopback'\nconfig globals 'globals'\nconfig device\n\toption name 'br-lan'\n");
  assert.equal(network.sections[2]?.name, 'cfg030f15');
  const system = load("config system\n\toption hostname 'OpenWrt'\nconfig timeserver 'ntp'\n");
  assert.equal(system.sections[0]?.name, 'cfg01e48a');
  assert.equal(load('config dnsmasq\n').sections[0]?.name, 'cfg01411c');
  assert.equal(load('config dropbear\n').sections[0]?.name, 'cfg014dd4');
  assert.equal(load('config system\nconfig timeserver\n').sections[1]?.name, 'cfg02096b');
  assert.equal(network.sections[2]?.anonymous, true);
});

test('@type[N], @type[-N] and @[N] address sections like uci', () => {
  const p = load("config a 'x'\nconfig b\n\toption v 1\nconfig a\n\toption v 2\nconfig b 'y'\n\toption v 3\n");
  const get = (tuple: string): string | undefined => {
    const r = resolvePtr(p, parsePtr(tuple));
    return r.o && r.o.type === 'string' ? r.o.value : r.s?.name;
  };
  assert.equal(get('test.@b[0].v'), '1');
  assert.equal(get('test.@b[-1].v'), '3');
  assert.equal(get('test.@a[1].v'), '2');
  assert.equal(get('test.@a[0]'), 'x');
  assert.equal(get('test.@[1].v'), '1');
  assert.equal(resolvePtr(p, parsePtr('test.@b[5]')).complete, false);
  assert.throws(() => resolvePtr(p, parsePtr('test.@b')), { code: 'ERR_UCI_INVAL' });
  assert.throws(() => resolvePtr(p, parsePtr('test.@b[x]')), { code: 'ERR_UCI_INVAL' });
});

test('lines of sections, options and list items are recorded', () => {
  const p = load("\n# c\nconfig t 's'\n\toption a 'multi\nline'\n\tlist l 1\n\n\tlist l 2\n");
  assert.equal(p.sections[0]?.line, 3);
  assert.equal(opt(p, 's', 'a')?.line, 4);
  const l = opt(p, 's', 'l');
  assert.ok(l && l.type === 'list');
  assert.deepEqual(l.lines, [6, 8]);
});

test('import without a name switches packages on package lines', () => {
  const r = parseUci("package one\nconfig t 'a'\npackage two\nconfig t 'b'\n\toption x y\n");
  assert.deepEqual(
    r.packages.map((p) => [p.name, p.sections.map((s) => s.name)]),
    [
      ['one', ['a']],
      ['two', ['b']],
    ],
  );
  assert.equal(value(r.packages[1] as UciPackage, 'b', 'x'), 'y');
});

test('empty file is an empty package', () => {
  const p = load('');
  assert.equal(p.sections.length, 0);
  assert.equal(exportPackage(p), '\n');
});

test("OpenWrt's default firewall: anonymous names as `uci -X show firewall` prints them on devices", () => {
  const fw = load(
    "config defaults\n\toption syn_flood '1'\n\toption input 'REJECT'\n\n" +
      "config zone\n\toption name 'lan'\n\tlist network 'lan'\n\n" +
      "config zone\n\toption name 'wan'\n\tlist network 'wan'\n\tlist network 'wan6'\n\toption masq '1'\n\n" +
      "config forwarding\n\toption src 'lan'\n\toption dest 'wan'\n\n" +
      "config rule\n\toption name 'Allow-DHCP-Renew'\n\toption src 'wan'\n\toption proto 'udp'\n\toption dest_port '68'\n",
    'firewall',
  );
  assert.deepEqual(
    fw.sections.map((s) => s.name),
    ['cfg01e63d', 'cfg02dc81', 'cfg03dc81', 'cfg04ad58', 'cfg0592bd'],
  );
  assert.deepEqual(value(fw, 'cfg03dc81', 'network'), ['wan', 'wan6']);
});
