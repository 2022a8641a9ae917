// The baseline of the ingest bench: aedes with no hooks at all (no auth, no ACL, no ingest, no
// QuestDB) on a plain TCP server. A QoS 1 PUBACK here costs only MQTT parsing and aedes' own
// publish path, so the platform's message rate is compared against it.
//
//   node bench/src/bare-broker.ts <port>     (127.0.0.1 only; SIGTERM/SIGINT stop it)
import { createServer, type Socket } from 'node:net';
import { Aedes } from 'aedes';

const port = Number.parseInt(process.argv[2] ?? '', 10);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write('usage: node bench/src/bare-broker.ts <port>\n');
  process.exit(2);
}

const aedes = await Aedes.createBroker();
const sockets = new Set<Socket>();
const server = createServer((socket) => {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
  socket.setNoDelay(true); // as the platform's listener does
  aedes.handle(socket);
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`bare aedes listening on 127.0.0.1:${port}\n`));

let stopping = false;
const stop = () => {
  if (stopping) process.exit(130);
  stopping = true;
  server.close();
  for (const s of sockets) s.destroy();
  aedes.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
