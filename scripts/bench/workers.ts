// The load-generator children, seen from the main process: fork them, hand each its
// share of the students, broadcast a command, and wait (bounded) for every answer.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromWorker, SimStudent, ToWorker } from './messages.ts';

const workerFile = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

export class LoadWorkers {
  readonly children: ChildProcess[];
  private inbox: FromWorker[][];
  private waiters: (() => void)[] = [];

  constructor(count: number) {
    this.children = Array.from({ length: count }, () =>
      fork(workerFile, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    this.inbox = this.children.map(() => []);
    this.children.forEach((c, i) => {
      c.on('message', (m: FromWorker) => {
        this.inbox[i]!.push(m);
        this.waiters.splice(0).forEach((w) => w());
      });
      c.on('exit', () => this.waiters.splice(0).forEach((w) => w()));
    });
  }

  get pids() {
    return this.children.map((c) => c.pid!).filter(Boolean);
  }

  send(m: ToWorker) {
    for (const c of this.children) if (c.connected) c.send(m);
  }

  /** Splits the students round-robin and starts connecting them (rampBatch is per worker). */
  connect(url: string, students: SimStudent[], questionIds: string[], rampBatch: number, ackTimeoutMs: number) {
    this.children.forEach((c, i) =>
      c.send({
        type: 'connect',
        url,
        students: students.filter((_, n) => n % this.children.length === i),
        questionIds,
        rampBatch: Math.max(1, Math.round(rampBatch / this.children.length)),
        ackTimeoutMs,
      } satisfies ToWorker),
    );
  }

  /** The next message of this type from every worker, in worker order; throws after `ms`. */
  async collect<T extends FromWorker['type']>(type: T, ms: number): Promise<Extract<FromWorker, { type: T }>[]> {
    const until = Date.now() + ms;
    for (;;) {
      const found = this.inbox.map((box) => box.findIndex((m) => m.type === type));
      if (found.every((i) => i >= 0)) {
        return found.map((i, w) => this.inbox[w]!.splice(i, 1)[0] as Extract<FromWorker, { type: T }>);
      }
      const dead = this.children.find((c) => c.exitCode !== null || c.signalCode !== null);
      if (dead)
        throw new Error(`load worker ${dead.pid} exited (${dead.exitCode ?? dead.signalCode}) before '${type}'`);
      const left = until - Date.now();
      if (left <= 0) throw new Error(`load workers did not report '${type}' within ${Math.round(ms / 1000)} s`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Asks them to close their sockets and exit; kills any that are still there after 5 s. */
  async stop() {
    this.send({ type: 'exit' });
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const t = setTimeout(() => c.kill('SIGKILL'), 5000);
            c.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
          }),
      ),
    );
  }
}
