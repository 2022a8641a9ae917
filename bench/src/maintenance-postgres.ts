// A PostgreSQL server of the bench's own, as test/global-setup.ts starts one: Debian's server
// binaries, a cluster in a temporary directory, a free port on 127.0.0.1, trust
// authentication. Unlike the tests' server it keeps PostgreSQL's durability defaults (fsync on),
// since the bench times writes as production makes them, and loads pg_stat_statements (which
// statements a step's time went to) and auto_explain, off until `explainSlow` switches it on for
// one untimed call: the plans of that call's slow statements, with their actual rows, loops,
// sorts and JIT, read back from the server's log.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@fleet/shared';
import { openDatabase } from '@fleet/shared/db';

export interface BenchPostgres {
  version: string;
  port: number;
  /** postgres://... of a database, created on first use. */
  database(name: string): Promise<string>;
  /** Runs `f` with auto_explain on for statements of at least `minMs`; their plans. */
  explainSlow(minMs: number, f: () => Promise<unknown>): Promise<SlowPlan[]>;
  stop(): void;
}

/** One slow statement's plan as auto_explain logged it, in short. */
export interface SlowPlan {
  durationMs: number;
  query: string;
  /** The plan's notable nodes, most expensive first ("Seq Scan on meter_readings: 730,000 rows ..."). */
  nodes: string[];
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Actual Total Time'?: number;
  'Rows Removed by Filter'?: number;
  'Sort Method'?: string;
  'Sort Space Used'?: number;
  'Sort Space Type'?: string;
  'Subplan Name'?: string;
  'Parent Relationship'?: string;
  Filter?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** The nodes worth a line: scans and sorts by the rows they handled (rows x loops), subplans run per row. */
export function notableNodes(plan: PlanNode, jitMs: number | undefined, limit = 6): string[] {
  const all: { weight: number; text: string; quick: boolean }[] = [];
  const walk = (n: PlanNode, inSubplan: string | undefined) => {
    const loops = n['Actual Loops'] ?? 1;
    const rows = (n['Actual Rows'] ?? 0) * loops;
    const removed = (n['Rows Removed by Filter'] ?? 0) * loops;
    const sub = n['Subplan Name'] ?? inSubplan;
    const on = n['Relation Name'] ? ` on ${n['Relation Name']}` : '';
    const using = n['Index Name'] ? ` using ${n['Index Name']}` : '';
    const perLoop = loops > 1 ? ` (${int(n['Actual Rows'] ?? 0)} x ${int(loops)} loops)` : '';
    const filtered = removed > 0 ? `, ${int(removed)} removed by the filter` : '';
    const where = sub !== undefined && loops > 1 ? ` in ${sub}` : '';
    const totalMs = n['Actual Total Time'] === undefined ? undefined : n['Actual Total Time'] * loops;
    const time = totalMs === undefined ? '' : `, ${int(totalMs)} ms`;
    const quick = totalMs !== undefined && totalMs < 1;
    if (n['Node Type'] === 'Sort')
      all.push({
        weight: rows + 1e9 * (n['Sort Space Type'] === 'Disk' ? 1 : 0),
        text: `Sort of ${int(rows)} rows (${n['Sort Method'] ?? '?'}, ${int(n['Sort Space Used'] ?? 0)} kB ${n['Sort Space Type'] === 'Disk' ? 'on disk' : 'in memory'})${time}`,
        quick,
      });
    else if (/Scan/.test(n['Node Type']) && n['Relation Name'])
      all.push({
        weight: rows + removed,
        text: `${n['Node Type']}${using}${on}${where}: ${int(rows)} rows${perLoop}${filtered}${time}`,
        quick,
      });
    for (const c of n.Plans ?? []) walk(c, sub);
  };
  walk(plan, undefined);
  const out = all
    .sort((a, b) => b.weight - a.weight)
    .slice(0, limit)
    .map((x) => x.text);
  if (jitMs !== undefined && jitMs >= 20) out.push(`JIT compilation ${int(jitMs)} ms`);
  return out;
}

/** The plans in a piece of the server log written with auto_explain.log_format = json. */
export function parseAutoExplainLog(text: string): SlowPlan[] {
  const out: SlowPlan[] = [];
  for (const part of text.split(/LOG:\s+duration: /).slice(1)) {
    const durationMs = Number.parseFloat(part);
    const start = part.indexOf('{');
    if (start < 0 || !Number.isFinite(durationMs)) continue;
    // The JSON continues on lines that start with a tab, up to the brace that closes the first.
    const lines = part.slice(start).split('\n');
    let depth = 0;
    let inString = false;
    let escaped = false;
    let json = '';
    outer: for (const raw of lines) {
      const line = raw.replace(/^\t/, '');
      for (const ch of line) {
        json += ch;
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = inString;
        else if (ch === '"') inString = !inString;
        else if (!inString && ch === '{') depth++;
        else if (!inString && ch === '}' && --depth === 0) break outer;
      }
      json += '\n';
    }
    try {
      const doc = JSON.parse(json) as {
        'Query Text'?: string;
        Plan?: PlanNode;
        JIT?: { Timing?: { Total?: number } };
      };
      if (!doc.Plan) continue;
      out.push({
        durationMs,
        query: (doc['Query Text'] ?? '').replace(/\s+/g, ' ').trim(),
        nodes: notableNodes(doc.Plan, doc.JIT?.Timing?.Total),
      });
    } catch {
      // a plan cut off in the log: skip it
    }
  }
  return out;
}

function run(cmd: string, args: string[], asPostgres: boolean): string {
  const [c, a] = asPostgres ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  const r = spawnSync(c, a, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function postgresBin(): string {
  const base = '/usr/lib/postgresql';
  const latest = (existsSync(base) ? readdirSync(base).sort() : []).at(-1);
  if (!latest) throw new Error('PostgreSQL server binaries not found: apt-get install postgresql');
  return join(base, latest, 'bin');
}

/** Starts a cluster in a temporary directory of its own (owned by postgres when run as root). */
export async function startBenchPostgres(): Promise<BenchPostgres> {
  const bin = postgresBin();
  const asPostgres = process.getuid?.() === 0; // initdb refuses to run as root
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-pg-'));
  if (asPostgres) run('chown', ['postgres:postgres', dir], false);
  const port = await freePort();
  run(join(bin, 'initdb'), ['-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync'], asPostgres);
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c shared_preload_libraries=pg_stat_statements,auto_explain',
    '-c pg_stat_statements.track=all',
    // auto_explain.log_min_duration stays at its default (-1, off) here: a setting given on the
    // command line would outrank the ALTER SYSTEM of explainSlow.
    '-c auto_explain.log_analyze=on',
    '-c auto_explain.log_format=json',
  ];
  run(
    join(bin, 'pg_ctl'),
    ['-D', dir, '-o', settings.join(' '), '-l', join(dir, 'log'), '-w', 'start'],
    asPostgres,
  );
  const version = run(join(bin, 'postgres'), ['--version'], false).trim();
  const created = new Set(['postgres']);
  const url = (name: string) => `postgres://postgres@127.0.0.1:${port}/${name}`;
  return {
    version,
    port,
    async database(name) {
      if (!/^[a-z][a-z0-9_]{0,40}$/.test(name)) throw new Error(`bad database name ${name}`);
      if (!created.has(name)) {
        const admin = await openDatabase({ url: url('postgres'), maxConnections: 1 });
        try {
          await admin.exec(`create database ${name}`);
        } finally {
          await admin.close();
        }
        created.add(name);
      }
      return url(name);
    },
    async explainSlow(minMs, f) {
      const log = join(dir, 'log');
      const admin = await openDatabase({ url: url('postgres'), maxConnections: 1 });
      const setting = async (value: string) => {
        await admin.exec(`alter system set auto_explain.log_min_duration = '${value}'`);
        await admin.query('select pg_reload_conf()');
        // Every backend reads the new setting before its next statement; give the signal a moment.
        await new Promise((r) => setTimeout(r, 200));
      };
      try {
        const from = statSync(log).size;
        await setting(`${Math.round(minMs)}ms`);
        try {
          await f();
        } finally {
          await setting('-1');
        }
        const fd = openSync(log, 'r');
        try {
          const size = statSync(log).size - from;
          const buffer = Buffer.alloc(Math.max(0, size));
          readSync(fd, buffer, 0, size, from);
          return parseAutoExplainLog(buffer.toString('utf8'));
        } finally {
          closeSync(fd);
        }
      } finally {
        await admin.close();
      }
    },
    stop() {
      try {
        run(join(bin, 'pg_ctl'), ['-D', dir, '-m', 'immediate', 'stop'], asPostgres);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
