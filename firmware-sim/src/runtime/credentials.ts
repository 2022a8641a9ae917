// The simulator's credentials file: the devices it provisioned (or was given) and their tokens,
// so a second run connects as the same devices. JSON, `{ "devices": [{ id, token, kind, name }] }`,
// written atomically (temporary file, fsync, rename) with mode 0600 because it holds secrets;
// read back through a schema, so a damaged or hand-edited file fails with a message that names
// the file and the entry, never as a crash deep inside a connection.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

const FORBIDDEN_IN_ID = /[/+#\s\0]/; // the id is the MQTT client id and a topic level

export const credentialsEntrySchema = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .refine((id) => !FORBIDDEN_IN_ID.test(id), 'must not contain "/", "+", "#", whitespace or NUL'),
  token: z.string().min(1).max(512),
  kind: z.enum(['vehicle', 'equipment']),
  name: z.string().max(200),
});

export const credentialsFileSchema = z
  .object({ devices: z.array(credentialsEntrySchema) })
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.devices.forEach((d, i) => {
      const first = seen.get(d.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['devices', i, 'id'],
          message: `duplicate device id ${d.id} (also devices[${first}])`,
        });
      } else seen.set(d.id, i);
    });
  });

export type DeviceCredentials = z.infer<typeof credentialsEntrySchema>;
export type CredentialsFile = z.infer<typeof credentialsFileSchema>;

/** A credentials file that cannot be used; the message says which file and what is wrong. */
export class CredentialsFileError extends Error {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`credentials file ${path}: ${message}`, options);
    this.name = 'CredentialsFileError';
    this.path = path;
  }
}

function describeIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(top level)';
}

/** Validates already-parsed JSON; throws CredentialsFileError listing the first few problems. */
export function parseCredentials(value: unknown, path = '<memory>'): CredentialsFile {
  const result = credentialsFileSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const shown = issues.slice(0, 5).map((i) => `${describeIssuePath(i.path)}: ${i.message}`);
  const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : '';
  throw new CredentialsFileError(
    path,
    `not a valid credentials file (expected { "devices": [{ "id", "token", "kind", "name" }] }): ${shown.join('; ')}${more}`,
  );
}

/**
 * Reads and validates a credentials file. A missing file is `undefined` (the first run, which
 * provisions); anything else that is wrong throws CredentialsFileError.
 */
export async function readCredentials(path: string): Promise<CredentialsFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CredentialsFileError(path, `cannot be read: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CredentialsFileError(path, `is not JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseCredentials(json, path);
}

/**
 * Writes the file atomically with mode 0600: a reader (or a crash half-way) sees the old file
 * or the new one, never a torn one, and nobody else on the machine can read the tokens.
 */
export async function writeCredentials(path: string, file: CredentialsFile): Promise<void> {
  const valid = parseCredentials(file, path);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(valid, null, 2)}\n`, 'utf8');
    await handle.chmod(0o600); // the umask may have narrowed it, never widened; make it exact
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // Make the rename itself durable; not every file system lets a directory be fsynced.
  const dir = await open(dirname(path), 'r').catch(() => undefined);
  if (dir) {
    await dir.sync().catch(() => {});
    await dir.close();
  }
}
