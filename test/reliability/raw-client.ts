/**
 * A client on a bare TCP socket, so a test can be exactly as rude as an attacker: silent, slow, or
 * never reading. It records what the server wrote and when the server closed the connection.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

/** How soon a client must be served while the connection ceiling is held (a promise of the README). */
export const SERVED_WITHIN_MS = 1_000;

export interface Closed {
  /** What the server wrote, as text (empty for a client that does not read). */
  readonly received: string;
  /** From the connection being established to its close. */
  readonly openMs: number;
  /** The socket error, when the close was a reset rather than an orderly end. */
  readonly error: string | undefined;
}

export interface RawConnection {
  readonly socket: Socket;
  /** Resolves when the connection is closed, by either side. */
  readonly closed: Promise<Closed>;
  /** Everything received so far. */
  received(): string;
}

/** Opens a connection; with `read: false` the client never reads, so its receive window shuts. */
export function openRaw(port: number, options: { read?: boolean } = {}): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    let error: string | undefined;
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
      const connectedAt = performance.now();
      if (options.read === false) socket.pause();
      else socket.setEncoding('latin1').on('data', (chunk: string) => (text += chunk));
      const closed = new Promise<Closed>((settle) =>
        socket.once('close', () =>
          settle({ received: text, openMs: performance.now() - connectedAt, error }),
        ),
      );
      resolve({ socket, closed, received: () => text });
    });
  });
}

/** The status line's code of the first answer in `text`, or undefined when there is none. */
export function firstStatus(text: string): number | undefined {
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(text);
  return match === null ? undefined : Number(match[1]);
}

/**
 * The server-side ends of connections to `servicePort` that a process still holds, from the kernel's
 * table (/proc/net/tcp, IPv4; Linux only). A client that never reads never sees the server's FIN, so
 * only the server's side shows whether the server let go: a socket the process closed keeps inode 0
 * while the kernel finishes it, one it merely half-closed keeps its inode.
 */
export function heldByServer(servicePort: number): Map<number, string> {
  const held = new Map<number, string>();
  const lines = readFileSync('/proc/net/tcp', 'utf8').trim().split('\n').slice(1);
  for (const line of lines) {
    const [, local, remote, state, , , , , , inode] = line.trim().split(/\s+/);
    if (local === undefined || remote === undefined || state === TCP_LISTEN || inode === '0') continue;
    if (parseInt(local.split(':')[1] ?? '', 16) !== servicePort) continue;
    held.set(parseInt(remote.split(':')[1] ?? '', 16), state ?? '');
  }
  return held;
}

const TCP_LISTEN = '0A';

/** Resolves with the milliseconds from `since` until the server no longer holds `connection`. */
export async function releasedByServer(
  servicePort: number,
  connection: RawConnection,
  since: number,
  pollMs = 100,
): Promise<number> {
  const clientPort = connection.socket.localPort ?? -1;
  const wait = () => new Promise((resolve) => setTimeout(resolve, pollMs));
  // Until the service has accepted it, the connection waits in the kernel's queue with inode 0 too.
  for (let waited = 0; !heldByServer(servicePort).has(clientPort); waited += pollMs) {
    if (waited > 5_000) throw new Error(`the service never accepted the connection from port ${clientPort}`);
    await wait();
  }
  while (heldByServer(servicePort).has(clientPort)) await wait();
  return performance.now() - since;
}
