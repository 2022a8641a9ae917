// The broker's network listeners: MQTT over TCP and MQTT over WebSocket (path /mqtt).
// Both hand each connection to the same DeviceBroker.handle.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { DeviceBroker } from './broker.ts';

export const MQTT_WS_PATH = '/mqtt';

export interface BrokerListeners {
  tcpPort: number;
  wsPort: number | undefined;
  close(): Promise<void>;
}

export interface ListenOptions {
  host: string;
  tcpPort: number;
  /** undefined: no WebSocket listener. 0: any free port. */
  wsPort: number | undefined;
  maxPacketBytes: number;
}

function listen(server: TcpServer | HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: TcpServer | HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function listenBroker(broker: DeviceBroker, o: ListenOptions): Promise<BrokerListeners> {
  const sockets = new Set<import('node:net').Socket>();
  const tcp = createTcpServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    broker.handle(socket, socket.remoteAddress);
  });
  const tcpPort = await listen(tcp, o.tcpPort, o.host);

  let http: HttpServer | undefined;
  let wss: WebSocketServer | undefined;
  let wsPort: number | undefined;
  if (o.wsPort !== undefined) {
    http = createHttpServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: connect to /mqtt\n');
    });
    wss = new WebSocketServer({
      server: http,
      path: MQTT_WS_PATH,
      maxPayload: o.maxPacketBytes + 8,
      handleProtocols: (protocols) =>
        protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false,
    });
    wss.on('connection', (ws, req) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => stream.destroy());
      broker.handle(stream, req.socket.remoteAddress);
    });
    wsPort = await listen(http, o.wsPort, o.host);
  }

  return {
    tcpPort,
    wsPort,
    async close() {
      const closing = [closeServer(tcp)];
      for (const s of sockets) s.destroy();
      if (wss) {
        for (const c of wss.clients) c.terminate();
        wss.close();
      }
      if (http) closing.push(closeServer(http));
      await Promise.all(closing);
    },
  };
}
