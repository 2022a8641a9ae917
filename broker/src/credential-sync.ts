// Keeps a CredentialDirectory in step with the registry: one keyset-paged load at start, then,
// for each announced change, the device forgotten at once and read again with the others
// changed in the same short window (an organisation's suspension announces every device of it:
// one query for the lot, not one per device).
import type { DeviceCredential } from '@fleet/shared/db';
import type { CredentialDirectory } from './credential-directory.ts';

export interface CredentialRows {
  credentials(
    options: { after?: string; limit: number } | { ids: readonly string[] },
  ): Promise<DeviceCredential[]>;
}

export interface CredentialSyncOptions {
  /** Rows per page of the load (one IPC message each on the embedded database). */
  pageSize?: number;
  /** How long changes are gathered before their devices are read again (ms). */
  rereadDelayMs?: number;
  /** Most devices read again in one query. */
  rereadBatch?: number;
  onError?: (err: unknown) => void;
}

export class CredentialSync {
  readonly #directory: CredentialDirectory;
  readonly #rows: CredentialRows;
  readonly #pageSize: number;
  readonly #delayMs: number;
  readonly #batch: number;
  readonly #onError: (err: unknown) => void;
  readonly #pending = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #rereading: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(directory: CredentialDirectory, rows: CredentialRows, options: CredentialSyncOptions = {}) {
    this.#directory = directory;
    this.#rows = rows;
    this.#pageSize = options.pageSize ?? 5000;
    this.#delayMs = options.rereadDelayMs ?? 50;
    this.#batch = options.rereadBatch ?? 1000;
    this.#onError = options.onError ?? (() => {});
  }

  /** Loads every device (up to the directory's bound); resolves with how many it holds. */
  async load(): Promise<number> {
    const read = this.#directory.beginRead();
    try {
      let after = '';
      for (;;) {
        const page = await this.#rows.credentials({ after, limit: this.#pageSize });
        let full = false;
        for (const c of page) if (this.#directory.put(read, c) === 'full') full = true;
        const last = page.at(-1);
        // A full directory stops the load; the devices past it are looked up on CONNECT.
        if (!last || page.length < this.#pageSize || full || this.#closed) break;
        after = last.device.id;
      }
    } finally {
      this.#directory.endRead(read);
    }
    return this.#directory.size;
  }

  /** A device changed: forgotten now, read again soon. */
  changed(deviceId: string): void {
    this.#directory.forget(deviceId);
    if (this.#closed) return;
    this.#pending.add(deviceId);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#rereading = this.#rereading.then(() => this.#reread());
    }, this.#delayMs);
  }

  /** Resolves once the re-reads scheduled so far are done (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#timer !== undefined || this.#pending.size > 0) {
      await new Promise((r) => setTimeout(r, this.#delayMs));
      await this.#rereading;
    }
    await this.#rereading;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }

  async #reread(): Promise<void> {
    while (this.#pending.size > 0 && !this.#closed) {
      const ids = [...this.#pending].slice(0, this.#batch);
      for (const id of ids) this.#pending.delete(id);
      const read = this.#directory.beginRead();
      try {
        for (const c of await this.#rows.credentials({ ids })) this.#directory.put(read, c);
      } catch (err) {
        // Not held is safe: those devices are looked up on CONNECT until the next change.
        this.#onError(err);
      } finally {
        this.#directory.endRead(read);
      }
    }
  }
}
