// A raw MQTT client over a TCP socket for packets mqtt.js would not send: writes what
// mqtt-packet generates (or any bytes), parses what the broker answers, and waits for it.
import { type Socket, connect as tcpConnect } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export class RawMqtt {
  readonly socket: Socket;
  readonly received: Packet[] = [];
  readonly closed: Promise<void>;
  isClosed = false;
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet: Packet) => {
      this.received.push(packet);
      this.#wake();
    });
    // A broker that sends bytes we cannot parse is a failure of its own; the tests look at
    // what arrived and at whether the socket closed.
    parser.on('error', () => this.socket.destroy());
    socket.on('data', (data: Buffer) => parser.parse(data));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.#wake();
        resolve();
      }),
    );
  }

  static async open(port: number, localAddress?: string): Promise<RawMqtt> {
    const socket = tcpConnect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawMqtt(socket);
  }

  /** Opens a socket and sends a CONNECT (3.1.1, keep-alive 30 s unless given). */
  static async connect(
    port: number,
    credentials: { id: string; token: string } | undefined,
    options: { localAddress?: string; clientId?: string; keepalive?: number; clean?: boolean } = {},
  ): Promise<RawMqtt> {
    const raw = await RawMqtt.open(port, options.localAddress);
    raw.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: options.clean ?? true,
      clientId: options.clientId ?? credentials?.id ?? 'anonymous',
      keepalive: options.keepalive ?? 30,
      ...(credentials ? { username: credentials.id, password: Buffer.from(credentials.token) } : {}),
    });
    return raw;
  }

  /** The CONNACK return code, or 'closed' when the socket closed without one. */
  async connack(timeoutMs = 5000): Promise<number | 'closed'> {
    const packet = await this.next('connack', timeoutMs);
    return packet ? ((packet as { returnCode?: number }).returnCode ?? -1) : 'closed';
  }

  send(packet: Packet): void {
    this.write(mqttPacket.generate(packet));
  }

  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /**
   * Waits for the next packet of `cmd` not yet taken (and takes it); undefined when the socket
   * closed or the time ran out first.
   */
  async next(cmd: Packet['cmd'], timeoutMs = 5000, match: (p: Packet) => boolean = () => true) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex((p) => p.cmd === cmd && match(p));
      if (i >= 0) return this.received.splice(i, 1)[0];
      if (this.isClosed || Date.now() >= deadline) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** A QoS 1 PUBLISH; resolves true when its PUBACK arrives. */
  async publishAcked(topic: string, payload: Uint8Array, messageId: number, timeoutMs = 5000) {
    this.send({
      cmd: 'publish',
      topic,
      payload: Buffer.from(payload),
      qos: 1,
      messageId,
      retain: false,
      dup: false,
    });
    return (await this.next('puback', timeoutMs, (p) => p.messageId === messageId)) !== undefined;
  }

  /** A SUBSCRIBE; resolves the SUBACK's granted codes, or undefined. */
  async subscribe(filters: string[], messageId: number, timeoutMs = 5000) {
    this.send({
      cmd: 'subscribe',
      messageId,
      subscriptions: filters.map((topic) => ({ topic, qos: 1 as const })),
    });
    const suback = await this.next('suback', timeoutMs, (p) => p.messageId === messageId);
    return suback ? (suback as { granted: number[] }).granted : undefined;
  }

  /** Sends a PINGREQ and waits for the PINGRESP: everything before it was read by the broker. */
  async ping(timeoutMs = 5000): Promise<boolean> {
    this.send({ cmd: 'pingreq' });
    return (await this.next('pingresp', timeoutMs)) !== undefined;
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
