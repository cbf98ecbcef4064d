/**
 * Every open connection, from accept to close: the deadline Node does not enforce (an answer the client
 * never takes), the room kept free under the connection ceiling, and the pipelining limit. The drain at
 * shutdown closes connections through it too.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  readonly writeStallTimeoutMs: number;
  readonly maxConnections: number;
  readonly slotsKeptFree: number;
  readonly maxPendingAnswersPerConnection: number;
}

/** Why the registry closes a connection. */
export type Expiry = 'write-stalled' | 'evicted';

interface Connection {
  requestSeen: boolean;
  pendingAnswers: number;
  /** Bytes whose write completed at the last sweep: progress, as seen from outside the stream. */
  flushedBytes: number;
  writeStalledSince: number | undefined;
}

/**
 * Whether Node has a response open on this socket. `_httpMessage` is internal but has been stable since
 * Node 0.x and is what established terminators (http-terminator) rely on; there is no public equivalent.
 */
export function responseInProgress(socket: Socket): ServerResponse | undefined {
  return (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage ?? undefined;
}

export class ConnectionRegistry {
  // A Map keeps insertion order, so iterating visits the connections held longest first.
  readonly #connections = new Map<Socket, Connection>();

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly expire: (socket: Socket, why: Expiry) => void,
  ) {}

  get size(): number {
    return this.#connections.size;
  }

  sockets(): IterableIterator<Socket> {
    return this.#connections.keys();
  }

  /**
   * Node refuses connections beyond `maxConnections` before they cost anything; below that, the last
   * `slotsKeptFree` slots are kept for newcomers by closing the connection idle the longest, so sockets
   * that hold a slot without asking for anything cannot lock out a client that has a request to make.
   */
  add(socket: Socket): void {
    this.#connections.set(socket, {
      requestSeen: false,
      pendingAnswers: 0,
      flushedBytes: 0,
      writeStalledSince: undefined,
    });
    socket.once('close', () => this.#connections.delete(socket));
    if (this.#connections.size > this.limits.maxConnections - this.limits.slotsKeptFree) {
      const idle = this.#longestIdle(socket);
      if (idle !== undefined) this.expire(idle, 'evicted');
    }
  }

  /** Counts an answer owed on this connection; false when the client has too many unread. */
  answerOwed(socket: Socket, res: ServerResponse): boolean {
    const connection = this.#connections.get(socket);
    if (connection === undefined) return true;
    connection.requestSeen = true;
    connection.pendingAnswers++;
    res.once('close', () => connection.pendingAnswers--);
    return connection.pendingAnswers <= this.limits.maxPendingAnswersPerConnection;
  }

  pendingAnswers(socket: Socket): number {
    return this.#connections.get(socket)?.pendingAnswers ?? 0;
  }

  /** Run every `connectionsCheckingIntervalMs`, the same cadence as Node's own request timeouts. */
  sweep(now: number): void {
    for (const [socket, connection] of this.#connections) {
      if (!socket.destroyed && this.#writeStalled(socket, connection, now))
        this.expire(socket, 'write-stalled');
    }
  }

  /** Closes every connection with no response in progress; returns how many it closed. */
  closeIdle(): number {
    let closed = 0;
    for (const socket of this.#connections.keys()) {
      if (responseInProgress(socket) === undefined) {
        socket.destroy();
        closed++;
      }
    }
    return closed;
  }

  /**
   * A write is stalled when bytes wait to be written and none has been taken since the last look: the
   * client's receive window is shut (it does not read) and Node would keep the answer, the socket and
   * its file descriptor for as long as the client likes. Progress is seen per completed write, so one
   * write must complete within the timeout: fine for answers written in chunks of at most 64 KiB.
   */
  #writeStalled(socket: Socket, connection: Connection, now: number): boolean {
    if (socket.writableLength === 0) {
      connection.writeStalledSince = undefined;
      return false;
    }
    const flushed = socket.bytesWritten - socket.writableLength;
    if (connection.writeStalledSince === undefined || flushed !== connection.flushedBytes) {
      connection.flushedBytes = flushed;
      connection.writeStalledSince = now;
      return false;
    }
    return now - connection.writeStalledSince >= this.limits.writeStallTimeoutMs;
  }

  /** A connection that has not yet asked for anything, else one between requests; oldest first. */
  #longestIdle(except: Socket): Socket | undefined {
    let betweenRequests: Socket | undefined;
    for (const [socket, connection] of this.#connections) {
      if (socket === except || socket.destroyed || responseInProgress(socket) !== undefined) continue;
      if (!connection.requestSeen) return socket;
      betweenRequests ??= socket;
    }
    return betweenRequests;
  }
}
