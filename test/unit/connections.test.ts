import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ConnectionRegistry, type ConnectionLimits, type Expiry } from '../../src/connections.ts';

const LIMITS: ConnectionLimits = {
  writeStallTimeoutMs: 10_000,
  maxConnections: 6,
  slotsKeptFree: 2,
  maxPendingAnswersPerConnection: 2,
};

/** What the registry reads of a socket, and nothing else. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  writableLength = 0;
  bytesWritten = 0;
  _httpMessage: object | undefined = undefined;
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

function registry(): { connections: ConnectionRegistry; expired: [FakeSocket, Expiry][] } {
  const expired: [FakeSocket, Expiry][] = [];
  const connections = new ConnectionRegistry(LIMITS, (socket, why) => {
    expired.push([socket as unknown as FakeSocket, why]);
    socket.destroy();
  });
  return { connections, expired };
}

function open(connections: ConnectionRegistry): FakeSocket {
  const socket = new FakeSocket();
  connections.add(socket as unknown as Socket);
  return socket;
}

function request(connections: ConnectionRegistry, socket: FakeSocket): EventEmitter & { within: boolean } {
  const res = new EventEmitter();
  const within = connections.answerOwed(socket as unknown as Socket, res as unknown as ServerResponse);
  return Object.assign(res, { within });
}

describe('the connection ceiling', () => {
  it('keeps slots free by closing a silent connection, the one held longest first', () => {
    const { connections, expired } = registry();
    const sockets = Array.from({ length: LIMITS.maxConnections - LIMITS.slotsKeptFree }, () =>
      open(connections),
    );
    expect(expired).toEqual([]);
    open(connections);
    expect(expired).toEqual([[sockets[0], 'evicted']]);
    expect(connections.size).toBe(LIMITS.maxConnections - LIMITS.slotsKeptFree);
  });

  it('prefers a silent connection to one between requests, and never closes one with a response open', () => {
    const { connections, expired } = registry();
    const busy = open(connections);
    busy._httpMessage = {};
    const betweenRequests = open(connections);
    request(connections, betweenRequests).emit('close');
    const silent = open(connections);
    open(connections);
    expect(expired).toEqual([]);
    open(connections);
    expect(expired).toEqual([[silent, 'evicted']]);
  });

  it('closes a connection between requests when no silent one is left, and nothing when all are busy', () => {
    const { connections, expired } = registry();
    const all = Array.from({ length: 4 }, () => open(connections));
    for (const socket of all) request(connections, socket);
    for (const socket of all.slice(1)) socket._httpMessage = {};
    open(connections)._httpMessage = {};
    expect(expired).toEqual([[all[0], 'evicted']]);
    expired.length = 0;
    open(connections);
    open(connections);
    expect(expired.map(([, why]) => why)).toEqual(['evicted']);
  });
});

describe('the pipelining limit', () => {
  it('counts answers owed and releases them as they close', () => {
    const { connections } = registry();
    const socket = open(connections);
    const first = request(connections, socket);
    expect(request(connections, socket).within).toBe(true);
    expect(request(connections, socket).within).toBe(false);
    first.emit('close');
    expect(connections.pendingAnswers(socket as unknown as Socket)).toBe(2);
  });

  it('lets a request on an unknown socket through', () => {
    const { connections } = registry();
    expect(request(connections, new FakeSocket()).within).toBe(true);
  });
});

describe('the write-stall deadline', () => {
  /** A connection with 1,000 bytes waiting to be taken (5,000 written before), seen by a sweep at 0. */
  function writeWaitingAtZero() {
    const { connections, expired } = registry();
    const socket = open(connections);
    socket.writableLength = 1_000;
    socket.bytesWritten = 5_000;
    connections.sweep(0);
    return { connections, expired, socket };
  }

  it('closes a connection whose bytes have waited, untaken, for the whole deadline', () => {
    const { connections, expired, socket } = writeWaitingAtZero();
    connections.sweep(LIMITS.writeStallTimeoutMs - 1);
    expect(expired).toEqual([]);
    connections.sweep(LIMITS.writeStallTimeoutMs);
    expect(expired).toEqual([[socket, 'write-stalled']]);
  });

  it('restarts the clock whenever a write completes, and stops it when nothing waits', () => {
    const { connections, expired, socket } = writeWaitingAtZero();
    // A write of 500 bytes completed: progress.
    socket.writableLength = 500;
    connections.sweep(9_000);
    connections.sweep(18_000);
    expect(expired).toEqual([]);
    socket.writableLength = 0;
    connections.sweep(30_000);
    socket.writableLength = 10;
    socket.bytesWritten = 5_010;
    connections.sweep(31_000);
    connections.sweep(40_000);
    expect(expired).toEqual([]);
    connections.sweep(41_000);
    expect(expired).toEqual([[socket, 'write-stalled']]);
  });
});

describe('the drain', () => {
  it('closes every connection without a response open', () => {
    const { connections } = registry();
    const idle = open(connections);
    const busy = open(connections);
    busy._httpMessage = {};
    expect(connections.closeIdle()).toBe(1);
    expect(idle.destroyed).toBe(true);
    expect(busy.destroyed).toBe(false);
    expect([...connections.sockets()]).toEqual([busy]);
  });
});
