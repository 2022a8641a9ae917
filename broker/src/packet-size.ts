// Cuts off an MQTT packet that is larger than the limit as soon as its fixed header says so,
// before the parser buffers it (aedes' parser has no size limit of its own).
import { Duplex } from 'node:stream';

/**
 * Follows the MQTT framing of a byte stream: each packet is one type byte, a 1-4 byte
 * variable-length "remaining length", then that many bytes.
 */
export class PacketSizeGuard {
  readonly #max: number;
  #state: 'type' | 'length' | 'body' = 'type';
  #length = 0;
  #multiplier = 1;
  #headerBytes = 0;
  #remaining = 0;

  constructor(maxPacketBytes: number) {
    this.#max = maxPacketBytes;
  }

  /** Feeds bytes; false means a packet over the limit (or a malformed length) has begun. */
  inspect(chunk: Uint8Array): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.#state === 'type') {
        this.#state = 'length';
        this.#length = 0;
        this.#multiplier = 1;
        this.#headerBytes = 1;
        i++;
      } else if (this.#state === 'length') {
        const byte = chunk[i++] as number;
        this.#headerBytes++;
        this.#length += (byte & 0x7f) * this.#multiplier;
        this.#multiplier *= 128;
        if (byte & 0x80) {
          if (this.#headerBytes >= 5) return false; // a 5th length byte is not MQTT
          continue;
        }
        if (this.#headerBytes + this.#length > this.#max) return false;
        this.#remaining = this.#length;
        this.#state = this.#remaining === 0 ? 'type' : 'body';
      } else {
        const take = Math.min(this.#remaining, chunk.length - i);
        this.#remaining -= take;
        i += take;
        if (this.#remaining === 0) this.#state = 'type';
      }
    }
    return true;
  }
}

export class PacketTooLargeError extends Error {
  readonly code = 'packet_too_large';
}

/**
 * A duplex around a client connection whose read side passes through a PacketSizeGuard.
 * Writes go straight to the connection, so backpressure (and aedes' drain timeout for
 * clients that stop reading) works as on the bare socket.
 */
export class GuardedConnection extends Duplex {
  readonly #inner: Duplex;

  /**
   * `onFault` hears of an unexpected throw while a chunk is handled (the connection is then
   * destroyed): the callbacks run in a socket's event handler, where a throw would otherwise
   * escape to the process.
   */
  constructor(
    inner: Duplex,
    maxPacketBytes: number,
    onTooLarge: () => void,
    onFault: (err: unknown) => void = () => {},
  ) {
    super({ allowHalfOpen: false });
    this.#inner = inner;
    const guard = new PacketSizeGuard(maxPacketBytes);
    inner.on('data', (chunk: Buffer) => {
      if (this.destroyed) return;
      try {
        if (!guard.inspect(chunk)) {
          this.destroy(new PacketTooLargeError(`packet over ${maxPacketBytes} bytes`));
          onTooLarge();
          return;
        }
        if (!this.push(chunk)) inner.pause();
      } catch (err) {
        onFault(err);
        this.destroy(err instanceof Error ? err : new Error(String(err)));
      }
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (err) => this.destroy(err));
    inner.on('close', () => this.destroy());
  }

  /** Bytes waiting to be written to the peer, here and in the connection below. */
  get pendingOutboundBytes(): number {
    return this.writableLength + this.#inner.writableLength;
  }

  override _read(): void {
    this.#inner.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#inner.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.#inner.end(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.#inner.destroy();
    cb(err);
  }
}
