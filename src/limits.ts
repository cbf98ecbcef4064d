/**
 * A deadline for every state a connection can be in, and a ceiling on how many there are; see
 * docs/hardening.md "Server limits". Node enforces those it has a setting for (server.ts passes them);
 * `connections.ts` enforces the write-stall deadline, the slots kept free and the pipelining limit;
 * `shutdown` the drain. No imports: config.ts reads the optional overrides (SERVER_LIMITS), which may
 * only tighten a limit, never loosen it: the reliability suites run the same code with shorter deadlines.
 */
export const SERVER_LIMITS = Object.freeze({
  // Connected but silent, and headers in progress: a connection's first request must complete its
  // headers within this of connecting (Node starts that clock when the connection opens, against exactly
  // this attack: src/node_http_parser.cc, Parser::Initialize), later ones within this of their first
  // byte. Answered 408 and closed; checked every `connectionsCheckingInterval`.
  headersTimeoutMs: 10_000,
  // Body in progress: a whole request (headers and body) must arrive within this (408).
  requestTimeoutMs: 15_000,
  // Node only checks the two timeouts above on this interval (30 s by default, far too lax); our own
  // deadlines below are checked on the same interval.
  connectionsCheckingIntervalMs: 1_000,
  // Answered and idle: longer than the common load balancers' idle timeout (AWS ALB: 60 s), so they,
  // not we, close idle connections: otherwise a request can race our close and be reset. Node closes
  // the socket 1 s later still (its `keepAliveTimeoutBuffer`), so the client has the advertised 65 s.
  keepAliveTimeoutMs: 65_000,
  // A reader that does not read: once the client's receive window is shut, Node keeps the unsent answer,
  // the socket and its file descriptor forever. No byte taken for this long closes it (nginx's
  // `send_timeout` is the same idea at 60 s; our answers are one segment, and the load balancer in
  // front reads at once, so a client that takes nothing for 10 s is gone or hostile).
  writeStallTimeoutMs: 10_000,
  // The container allows 1024 open files (nofile); each connection is one. Half is left for Node's own
  // (about 20) and the outbound connections a service adds (a database pool, HTTP clients), so running
  // out of connections never becomes EMFILE elsewhere. A load balancer in front holds a few dozen
  // connections per instance (Cloud Run: 80 concurrent requests by default), far below this. Beyond it,
  // Node closes a new connection as it is accepted, before it costs a socket object or a parser.
  maxConnections: 512,
  // Below the ceiling, this many slots are kept for newcomers by closing the connection idle the longest
  // (silent first, then between requests), as nginx reuses idle connections when it runs short: sockets
  // that ask for nothing cannot lock out a client with a request. A burst is accepted in one go before
  // the evicted sockets' slots are released (on the next turn of the event loop), hence more than one.
  slotsKeptFree: 32,
  // Node's default is 16 KiB; a health service and typical APIs need far less.
  maxHeaderSizeBytes: 8_192,
  // Draining on shutdown: how long clients are asked (`Connection: close`) to leave before idle sockets
  // are closed. In-flight requests then have until SHUTDOWN_GRACE_MS, after which every socket is closed.
  drainWindowMs: 1_000,
  // Pipelined requests are answered in order, and every answer not yet written to the client is held
  // in memory. A client that pipelines thousands of requests and never reads made the server hold
  // ~13 MB per connection (an answer is ~20× the size of the request); real clients keep a few in flight.
  maxPendingAnswersPerConnection: 32,
});

export type ServerLimits = { readonly [Name in keyof typeof SERVER_LIMITS]: number };
