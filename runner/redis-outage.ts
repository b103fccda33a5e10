import type { Logger } from "pino";

/** The codes of a socket that cannot reach its server, as ioredis passes them on. */
const UNREACHABLE = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/** Whether an error says Redis cannot be reached, rather than that something asked of it failed. */
export function isUnreachable(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return (typeof code === "string" && UNREACHABLE.has(code)) || message === "Connection is closed.";
}

/**
 * A process's word on Redis being away: said once when it goes and once when it is back, however many
 * connections, queues and workers find it (ioredis reconnects by itself, and each of them would say so on every
 * try). /api/ready tells too.
 */
export class RedisOutage {
  private down = false;

  constructor(private readonly logger: Logger) {}

  /** For a connection's or a queue's "error" event: those are about reaching Redis. */
  readonly error = (err: Error): void => {
    if (!this.down) this.logger.warn({ err }, "Redis does not answer; reconnecting");
    this.down = true;
  };

  /** For a connection's "ready" event. */
  readonly ready = (): void => {
    if (this.down) this.logger.info("Redis answers again");
    this.down = false;
  };

  /** For a BullMQ worker's "error" event, which is also about its jobs: those are logged as `what`, as they come. */
  workerError(what: string): (err: Error) => void {
    return (err) => (isUnreachable(err) ? this.error(err) : this.logger.error({ err }, what));
  }
}
