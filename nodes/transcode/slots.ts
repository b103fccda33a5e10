import { NodeCancelledError, NodeError } from "../_kit/errors";

/**
 * A process-wide limit on transcodes running at once. Each transcode holds a slot while ffmpeg runs; the rest
 * wait in order, and a wait ends early when its run is cancelled.
 */
export class Slots {
  private active = 0;
  private readonly waiting: { grant: () => void }[] = [];
  /** The process's limit, as the latest `acquire` gave it (it is one setting per process). */
  private limit = 1;

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once one of `limit` slots is free. */
  async acquire({ signal, limit }: { signal: AbortSignal; limit: number }): Promise<() => void> {
    signal.throwIfAborted();
    this.limit = limit;
    if (this.active < this.limit) return this.take();
    await new Promise<void>((resolve, reject) => {
      const entry = {
        grant: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        reject(signal.reason instanceof NodeError ? signal.reason : new NodeCancelledError());
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(entry);
    });
    return this.take(true);
  }

  private take(granted = false): () => void {
    if (!granted) this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.pump();
    };
  }

  private pump(): void {
    while (this.active < this.limit && this.waiting.length) {
      this.active++;
      this.waiting.shift()!.grant();
    }
  }
}
