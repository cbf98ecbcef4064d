/**
 * Forces a garbage collection in another Node process through its inspector, so a memory bound can be
 * checked on the service as shipped: nothing is added to src/ and `global.gc` is not exposed.
 */
export interface HeapUsage {
  readonly usedSize: number;
  readonly totalSize: number;
}

/** The inspector prints `Debugger listening on ws://…` on stderr when started with --inspect=…:0. */
export function inspectorUrl(stderr: string): string {
  const match = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(stderr);
  if (!match?.[1]) throw new Error(`no inspector address in the service's stderr: ${stderr}`);
  return match[1];
}

export class InspectorSession {
  #nextId = 1;
  readonly #pending = new Map<number, (result: unknown) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event: MessageEvent) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
      if (message.id === undefined) return;
      this.#pending.get(message.id)?.(message.result);
      this.#pending.delete(message.id);
    });
  }

  static open(url: string): Promise<InspectorSession> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.addEventListener('open', () => resolve(new InspectorSession(socket)), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot reach the inspector at ${url}`)), {
        once: true,
      });
    });
  }

  send(method: string, params: object = {}): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  async collectGarbage(): Promise<HeapUsage> {
    await this.send('HeapProfiler.collectGarbage');
    await this.send('HeapProfiler.collectGarbage');
    return (await this.send('Runtime.getHeapUsage')) as HeapUsage;
  }

  close(): void {
    this.socket.close();
  }
}
