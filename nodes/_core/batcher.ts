import { settlesWithin } from "./settles-within";

/**
 * Gathers the calls made within one turn of the event loop and sends them as one request. The next batch leaves as
 * soon as the previous one returns, so a busy process makes few round trips and an idle one sends each call at once.
 * `send` answers each call in the batch, in order; when it throws, every call in the batch fails with its error.
 */
export class Batcher<In, Out> {
  private items: In[] = [];
  private waiters: { resolve(value: Out): void; reject(err: unknown): void }[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(private readonly send: (items: In[]) => Promise<Out[]>) {}

  add(item: In): Promise<Out> {
    const answer = new Promise<Out>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.items.push(item);
    if (!this.flushing && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
    return answer;
  }

  /**
   * Resolves once fewer than `limit` calls wait behind the batch in flight (at once when they already do): a caller
   * that makes calls faster than they are answered paces itself on it, instead of piling them up in memory. With
   * `waitMs`, it waits no longer than that and resolves false when there was still no room.
   */
  async room(limit: number, waitMs?: number): Promise<boolean> {
    const deadline = waitMs === undefined ? undefined : performance.now() + waitMs;
    while (this.items.length >= limit && this.flushing) {
      if (deadline === undefined) await this.flushing;
      else if (!(await settlesWithin(this.flushing, deadline - performance.now()))) return false;
    }
    return true;
  }

  /** Resolves once every call made so far has been answered (whether it succeeded or not). */
  async drain(): Promise<void> {
    while (this.flushing || this.items.length) {
      if (this.flushing) await this.flushing;
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private flush(): void {
    const items = this.items;
    const waiters = this.waiters;
    this.items = [];
    this.waiters = [];
    if (!items.length) return;
    this.flushing = this.send(items)
      .then(
        (answers) => waiters.forEach((w, i) => w.resolve(answers[i]!)),
        (err: unknown) => waiters.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        this.flushing = null;
        if (this.items.length) this.flush();
      });
  }
}
