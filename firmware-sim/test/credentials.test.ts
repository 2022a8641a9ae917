import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CredentialsFile,
  CredentialsFileError,
  readCredentials,
  writeCredentials,
} from '../src/runtime/credentials.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleet-sim-creds-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sample: CredentialsFile = {
  devices: [
    { id: '46271713-a713-482b-82b3-6f90331a3c7c', token: 'fdt_abc', kind: 'vehicle', name: 'van-1' },
    { id: 'b1c2', token: 'fdt_def', kind: 'equipment', name: 'generator 4' },
  ],
};

async function garbage(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function errorOf(path: string): Promise<CredentialsFileError> {
  try {
    await readCredentials(path);
  } catch (err) {
    if (err instanceof CredentialsFileError) return err;
    throw err;
  }
  throw new Error(`${path} was accepted`);
}

describe('credentials file', () => {
  it('round-trips, with mode 0600, leaving no temporary file', async () => {
    const path = join(dir, 'devices.json');
    await writeCredentials(path, sample);
    expect(await readCredentials(path)).toEqual(sample);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await writeCredentials(path, { devices: [...sample.devices].reverse() });
    expect((await readCredentials(path))?.devices[0]?.id).toBe('b1c2');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ devices: [...sample.devices].reverse() });
  });

  it('reads a missing file as undefined (first run)', async () => {
    expect(await readCredentials(join(dir, 'nope.json'))).toBeUndefined();
  });

  it('explains a file that is not JSON', async () => {
    const path = await garbage('broken.json', '{"devices": [');
    const err = await errorOf(path);
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/is not JSON/);
  });

  it('explains binary garbage', async () => {
    const err = await errorOf(await garbage('binary.json', '\u0000\u0001PK\u0003\u0004'));
    expect(err.message).toMatch(/is not JSON/);
  });

  it('names the entry and field that are wrong', async () => {
    const path = await garbage(
      'bad-entry.json',
      JSON.stringify({ devices: [sample.devices[0], { id: 'x', token: '', kind: 'truck', name: 'y' }] }),
    );
    const err = await errorOf(path);
    expect(err.message).toContain('devices[1].token');
    expect(err.message).toContain('devices[1].kind');
    expect(err.message).toContain('"devices": [{ "id", "token", "kind", "name" }]');
  });

  it('refuses the wrong shape, duplicate ids and ids that cannot be topics', async () => {
    expect((await errorOf(await garbage('array.json', '[]'))).message).toContain('(top level)');
    expect((await errorOf(await garbage('no-devices.json', '{"device": []}'))).message).toContain('devices');
    const dup = await garbage(
      'dup.json',
      JSON.stringify({ devices: [sample.devices[0], sample.devices[0]] }),
    );
    expect((await errorOf(dup)).message).toMatch(/duplicate device id .* \(also devices\[0\]\)/);
    const wild = await garbage(
      'wild.json',
      JSON.stringify({ devices: [{ id: 'a/+', token: 't', kind: 'vehicle', name: 'n' }] }),
    );
    expect((await errorOf(wild)).message).toContain('devices[0].id');
  });

  it('refuses to write an invalid file', async () => {
    const path = join(dir, 'never.json');
    const bad = { devices: [{ id: '', token: 't', kind: 'vehicle', name: 'n' }] } as CredentialsFile;
    await expect(writeCredentials(path, bad)).rejects.toThrow(CredentialsFileError);
    expect(await readCredentials(path)).toBeUndefined();
  });
});
