import { settlesWithin } from "./settles-within";

type Waiter<Out> = { resolve(value: Out): void; reject(err: unknown): void };

export interface BatcherOptions<In> {
  /** How many batches may be out at once (default one): the next leaves as soon as fewer than this are out. */
  inFlight?: number;
  /**
   * What a call is about, when calls about one thing must not be sent while an earlier call about it is out: such a
   * call waits for that batch to return and goes with a later one (the calls about other things go on).
   */
  keyOf?: (item: In) => string;
}

/**
 * Gathers the calls made within one turn of the event loop and sends them as one request. The next batch leaves as
 * soon as there is room for it in flight, so a busy process makes few round trips and an idle one sends each call
 * at once. `send` answers each call in the batch, in order; when it throws, every call in the batch fails with its
 * error.
 */
export class Batcher<In, Out> {
  private items: In[] = [];
  private waiters: Waiter<Out>[] = [];
  /** The batches out, each with the keys of its calls (empty without `keyOf`). */
  private readonly flying = new Map<Promise<void>, Set<string>>();
  private scheduled = false;
  private readonly inFlight: number;

  constructor(
    private readonly send: (items: In[]) => Promise<Out[]>,
    private readonly options: BatcherOptions<In> = {},
  ) {
    this.inFlight = options.inFlight ?? 1;
  }

  add(item: In): Promise<Out> {
    const answer = new Promise<Out>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.items.push(item);
    if (this.flying.size < this.inFlight && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
    return answer;
  }

  /**
   * Resolves once fewer than `limit` calls wait behind the batches in flight (at once when they already do): a caller
   * that makes calls faster than they are answered paces itself on it, instead of piling them up in memory. With
   * `waitMs`, it waits no longer than that and resolves false when there was still no room.
   */
  async room(limit: number, waitMs?: number): Promise<boolean> {
    const deadline = waitMs === undefined ? undefined : performance.now() + waitMs;
    while (this.items.length >= limit && this.flying.size) {
      const returned = Promise.race(this.flying.keys());
      if (deadline === undefined) await returned;
      else if (!(await settlesWithin(returned, deadline - performance.now()))) return false;
    }
    return true;
  }

  /** Resolves once every call made so far has been answered (whether it succeeded or not). */
  async drain(): Promise<void> {
    while (this.flying.size || this.items.length) {
      if (this.flying.size) await Promise.all(this.flying.keys());
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Sends the calls waiting, but those whose key is in a batch out; they stay for the batch after it returns. */
  private flush(): void {
    if (this.flying.size >= this.inFlight || !this.items.length) return;
    const { items, waiters, keys } = this.takeSendable();
    if (!items.length) return;
    const flight: Promise<void> = this.send(items)
      .then(
        (answers) => waiters.forEach((w, i) => w.resolve(answers[i]!)),
        (err: unknown) => waiters.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        this.flying.delete(flight);
        if (!this.scheduled) this.flush();
      });
    this.flying.set(flight, keys);
  }

  /** Takes the calls that may leave now from those waiting: all of them, but those whose key is in a batch out. */
  private takeSendable(): { items: In[]; waiters: Waiter<Out>[]; keys: Set<string> } {
    const { keyOf } = this.options;
    const keys = new Set<string>();
    if (!keyOf) {
      const taken = { items: this.items, waiters: this.waiters, keys };
      this.items = [];
      this.waiters = [];
      return taken;
    }
    const busy = new Set<string>();
    for (const flightKeys of this.flying.values()) for (const key of flightKeys) busy.add(key);
    const taken = { items: [] as In[], waiters: [] as Waiter<Out>[], keys };
    const held = { items: [] as In[], waiters: [] as Waiter<Out>[] };
    this.items.forEach((item, i) => {
      const key = keyOf(item);
      const to = busy.has(key) ? held : taken;
      if (to === taken) keys.add(key);
      to.items.push(item);
      to.waiters.push(this.waiters[i]!);
    });
    this.items = held.items;
    this.waiters = held.waiters;
    return taken;
  }
}
