// `fleet orgs ...` and `fleet operators ...`, the real CLI against an embedded database in a
// temporary DATA_DIR: what a platform operator runs on the machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'fleet-orgs-cli-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function fleet(...args: string[]) {
  return runCli(args, { DATA_DIR: dataDir });
}

describe('fleet orgs', () => {
  it('adds an organisation and prints its administrator password once; lists, renames, suspends and resumes it', async () => {
    const add = await fleet(
      'orgs',
      'add',
      '--slug',
      'acme',
      '--name',
      'Acme Oy',
      '--admin-email',
      'admin@acme.example',
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('Created organisation "Acme Oy" (acme)');
    expect(add.stdout).toMatch(/password \(shown only now\): [A-Za-z0-9_-]{20}/);
    const withPassword = await fleet(
      'orgs',
      'add',
      '--slug',
      'beta',
      '--name',
      'Beta AB',
      '--admin-email',
      'admin@beta.example',
      '--admin-password',
      'a long chosen password',
      '--time-zone',
      'Europe/Stockholm',
      '--json',
    );
    expect(withPassword.code, withPassword.stderr).toBe(0);
    const beta = JSON.parse(withPassword.stdout) as {
      organisation: { timeZone: string };
      admin: { password?: string };
    };
    expect(beta.organisation.timeZone).toBe('Europe/Stockholm');
    expect(beta.admin.password).toBeUndefined();

    expect((await fleet('orgs', 'rename', 'acme', '--name', 'Acme Group Oy')).code).toBe(0);
    expect((await fleet('orgs', 'suspend', 'acme')).stdout).toMatch(/^Suspended acme/);
    const listed = await fleet('orgs', 'list', '--json');
    const orgs = JSON.parse(listed.stdout) as {
      slug: string;
      name: string;
      suspendedAt: string | null;
      users: number;
    }[];
    expect(orgs.find((o) => o.slug === 'acme')).toMatchObject({ name: 'Acme Group Oy', users: 1 });
    expect(orgs.find((o) => o.slug === 'acme')?.suspendedAt).not.toBeNull();
    expect(orgs.find((o) => o.slug === 'beta')?.suspendedAt).toBeNull();
    expect((await fleet('orgs', 'list')).stdout).toMatch(
      /acme\s+Acme Group Oy\s+1 users\s+0 devices {2}SUSPENDED/,
    );
    expect((await fleet('orgs', 'resume', 'acme')).stdout).toMatch(/^Resumed acme/);
  });

  it('refuses a taken slug, a bad slug, an unknown organisation and a missing option, saying which', async () => {
    const taken = await fleet(
      'orgs',
      'add',
      '--slug',
      'acme',
      '--name',
      'Again',
      '--admin-email',
      'x@acme.example',
    );
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/slug acme/);
    const bad = await fleet(
      'orgs',
      'add',
      '--slug',
      'Not A Slug',
      '--name',
      'x',
      '--admin-email',
      'x@y.example',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/slug/);
    const unknown = await fleet('orgs', 'suspend', 'nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no organisation "nobody"/);
    const missing = await fleet('orgs', 'add', '--slug', 'x1');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--name/);
  });
});

describe('fleet operators', () => {
  it('adds a platform operator and prints the password once', async () => {
    const add = await fleet('operators', 'add', '--email', 'ops@platform.example');
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/password \(shown only now\): [A-Za-z0-9_-]{20}/);
    const again = await fleet(
      'operators',
      'add',
      '--email',
      'ops@platform.example',
      '--password',
      'another long one',
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
  });
});
