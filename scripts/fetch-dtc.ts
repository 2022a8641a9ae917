// Regenerates shared/src/dtc/generic-codes.json, the catalogue of generic (SAE J2012 / ISO 15031-6)
// OBD-II trouble codes, from the ScanTool.net code list that Debian ships in the `scantool`
// package (GPL-2.0-or-later; see docs/decisions.md, "DTC catalogue"). `node scripts/fetch-dtc.ts`.
//
// Needs a Debian machine with its package lists fetched (`apt-get update`): the package is
// downloaded with `apt-get download` and unpacked with `dpkg-deb`, nothing is installed. The
// data file is checked against a pinned SHA-256 (it is the same in every architecture's
// package), so the output only changes when this script does.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PACKAGE = 'scantool';
const VERSION = '2.1-2.1';
const DATA_FILE = '/usr/share/scantool/codes.dat';
const DATA_SHA256 = 'bda8fe41aa17de68f6de8dbe505d7c3dc60b70ee62d98107b07ab093830d5ff9';
const OUT = resolve(import.meta.dirname, '../shared/src/dtc/generic-codes.json');
const CODE = /^[PCBU][0-3][0-9A-F]{3}$/;
/** The datafile objects that hold code lists, one per system letter. */
const LISTS = new Set(['PCODES', 'CCODES', 'BCODES', 'UCODES']);

/** SAE J2012's split of the code space, as in shared/src/dtc/index.ts (kept apart so a broken
 * catalogue never stops its own regeneration). */
function isGenericRange(code: string): boolean {
  const group = code[1];
  if (code[0] === 'P') {
    if (group === '0' || group === '2') return true;
    return group === '3' && !'0123'.includes(code[2] ?? '');
  }
  return group === '0';
}

function fail(message: string): never {
  process.stderr.write(`fetch-dtc: ${message}\n`);
  process.exit(1);
}

/** Downloads and unpacks the pinned package; returns the bytes of its code list. */
function fetchDataFile(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'fetch-dtc-'));
  try {
    chmodSync(dir, 0o777); // apt's download sandbox user must be able to write here
    try {
      execFileSync('apt-get', ['download', '-q', `${PACKAGE}=${VERSION}`], { cwd: dir, stdio: 'inherit' });
    } catch {
      fail(
        `apt-get download ${PACKAGE}=${VERSION} failed (run apt-get update first; needs Debian's archive)`,
      );
    }
    const deb = readdirSync(dir).find((name) => name.endsWith('.deb'));
    if (!deb) fail('apt-get download left no .deb');
    execFileSync('dpkg-deb', ['-x', join(dir, deb), join(dir, 'root')], { stdio: 'inherit' });
    const bytes = readFileSync(join(dir, 'root', DATA_FILE));
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== DATA_SHA256) fail(`${DATA_FILE} has SHA-256 ${sha}, expected ${DATA_SHA256}`);
    return bytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The named objects of an uncompressed Allegro 4 datafile ("slh.ALL."): per object, property
 * chunks ("prop", type, big-endian size, bytes), then type, stored size, original size, bytes. */
function readDatafile(bytes: Buffer): Map<string, string> {
  if (bytes.toString('latin1', 0, 8) !== 'slh.ALL.') fail('not an uncompressed Allegro datafile');
  const objects = new Map<string, string>();
  const count = bytes.readUInt32BE(8);
  let at = 12;
  for (let i = 0; i < count; i++) {
    let name = '';
    while (bytes.toString('latin1', at, at + 4) === 'prop') {
      const type = bytes.toString('latin1', at + 4, at + 8);
      const size = bytes.readUInt32BE(at + 8);
      if (type === 'NAME') name = bytes.toString('utf8', at + 12, at + 12 + size);
      at += 12 + size;
    }
    const stored = bytes.readUInt32BE(at + 4);
    if (stored !== bytes.readUInt32BE(at + 8)) fail(`object ${name} is compressed`);
    objects.set(name, bytes.toString('utf8', at + 12, at + 12 + stored));
    at += 12 + stored;
  }
  return objects;
}

/** Lines are "CODE<TAB>make<TAB>description"; make "Generic" marks the standard's codes. */
function genericCodes(objects: Map<string, string>): Map<string, string> {
  const rows: [code: string, make: string, description: string][] = [];
  for (const [name, text] of objects) {
    if (!LISTS.has(name)) continue;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const fields = line.split('\t');
      // Upstream defect: the U list was appended to the P list without a newline or make
      // column ("P3497<TAB>Generic<TAB>Cylinder Deactivation SystemU0001<TAB>High Speed …").
      const joined = fields.length === 4 ? /^(.*?)([PCBU][0-9A-F]{4})$/.exec(fields[2] ?? '') : null;
      if (joined) {
        const [code, make, , rest] = fields as [string, string, string, string];
        rows.push([code, make, joined[1] ?? ''], [joined[2] ?? '', make, rest]);
        process.stdout.write(`repaired joined line: ${code} + ${joined[2]}\n`);
      } else if (fields.length === 3) {
        rows.push(fields as [string, string, string]);
      } else {
        process.stdout.write(`skipped malformed line: ${JSON.stringify(line.slice(0, 80))}\n`);
      }
    }
  }
  const codes = new Map<string, string>();
  let dropped = 0;
  for (const [rawCode, make, rawDescription] of rows) {
    const code = rawCode.trim().toUpperCase();
    const description = rawDescription.replace(/\s+/g, ' ').trim();
    if (make.trim().toLowerCase() !== 'generic') continue; // a manufacturer's own meaning
    if (!CODE.test(code) || !isGenericRange(code) || description === '') {
      dropped++; // listed as "Generic" but in a manufacturer-controlled range (C1xxx), or empty
      continue;
    }
    if (description.length >= 200) fail(`${code}: description of ${description.length} characters`);
    const earlier = codes.get(code);
    if (earlier === undefined) codes.set(code, description);
    else if (earlier !== description) process.stdout.write(`duplicate ${code}: kept the first\n`);
  }
  process.stdout.write(`dropped ${dropped} "Generic" rows outside the generic ranges\n`);
  return codes;
}

const codes = genericCodes(readDatafile(fetchDataFile()));
const sorted = [...codes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const catalogue = {
  source: {
    name: 'ScanTool.net OBD-II trouble code list (generic codes)',
    package: `${PACKAGE} (Debian)`,
    version: VERSION,
    file: DATA_FILE,
    licence: 'GPL-2.0-or-later',
    url: `apt-get download ${PACKAGE}=${VERSION} (Debian main, pool/main/s/scantool/)`,
    fetchedBy: 'scripts/fetch-dtc.ts',
    codes: sorted.length,
  },
  codes: Object.fromEntries(sorted.map((code) => [code, codes.get(code)])),
};
writeFileSync(OUT, `${JSON.stringify(catalogue, null, 2)}\n`);
const byGroup = new Map<string, number>();
for (const code of sorted) byGroup.set(code.slice(0, 2), (byGroup.get(code.slice(0, 2)) ?? 0) + 1);
process.stdout.write(
  `${OUT}: ${sorted.length} codes (${[...byGroup].map(([g, n]) => `${g} ${n}`).join(', ')})\n`,
);
