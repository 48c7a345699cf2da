import net from 'node:net';
import type { Server as TlsServer } from 'node:tls';

/** The first byte of every TLS connection: a handshake record. */
const TLS_HANDSHAKE = 0x16;
const BODY = JSON.stringify({ data: { error: 'HTTPS is required' } });
const REFUSAL =
  'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json; charset=utf-8\r\n' +
  `Content-Length: ${Buffer.byteLength(BODY)}\r\nConnection: close\r\n\r\n${BODY}`;
/** A client that connects and says nothing is dropped after this long. */
const FIRST_BYTE_TIMEOUT_MS = 10_000;

/**
 * One port for HTTPS only: a connection that opens with a TLS handshake is handed to the TLS server;
 * anything else (plain HTTP) gets a 403 in the Lockt envelope and is closed, having reached no route.
 * (The technique of httpolyglot, which also serves the plain side; here the plain side only refuses.)
 */
export function httpsOnlyListener(tlsServer: TlsServer): net.Server {
  // Nagle's algorithm off, as node:https sets it on the sockets it accepts itself (these it is handed):
  // with it on, the last part of a response written in parts waited for the client's delayed ACK.
  return net.createServer({ noDelay: true }, (socket) => {
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] === TLS_HANDSHAKE) {
        tlsServer.emit('connection', socket);
        process.nextTick(() => socket.resume());
      } else {
        // Drain whatever else the client sends so its end of the connection is read and the socket closes.
        socket.end(REFUSAL);
        socket.resume();
        socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
      }
    });
    socket.on('error', () => socket.destroy());
  });
}
