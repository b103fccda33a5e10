const KEEP_ALIVE_MS = 15_000;

/** What a server-sent event stream's owner writes with. */
export interface SseChannel {
  /** Raw text: comments (`: …`) or whole events. */
  write(text: string): void;
  /** One event: named when `event` is given, else a plain `data:` message. */
  send(event: string | null, data: unknown): void;
  close(): void;
  readonly closed: boolean;
}

/**
 * A server-sent event stream: `open` subscribes to what it streams and returns how to unsubscribe. The stream
 * sends a keep-alive comment every 15 s (calling `onKeepAlive`), and ends, unsubscribing, when the owner closes
 * it, the request is aborted or the client goes away.
 */
export function sseStream({
  signal,
  onKeepAlive,
  open,
  counted,
}: {
  signal: AbortSignal;
  onKeepAlive?: () => void;
  open: (channel: SseChannel) => (() => void) | void;
  /** Counts the stream as open (the live-streams metric) from its start; the answer uncounts it when it ends. */
  counted?: () => () => void;
}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let closed = false;
  let stop = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let unsubscribe: (() => void) | void = undefined;
      const close = () => {
        if (closed) return;
        closed = true;
        stop();
        try {
          controller.close();
        } catch {
          // Already closed by the client going away.
        }
      };
      const channel: SseChannel = {
        write: (text) => {
          if (!closed) controller.enqueue(encoder.encode(text));
        },
        send: (event, data) => channel.write(`${event === null ? "" : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`),
        close,
        get closed() {
          return closed;
        },
      };
      if (signal.aborted) return close();
      const keepAlive = setInterval(() => {
        channel.write(": keep-alive\n\n");
        onKeepAlive?.();
      }, KEEP_ALIVE_MS);
      const uncount = counted?.();
      stop = () => {
        uncount?.();
        unsubscribe?.();
        clearInterval(keepAlive);
        signal.removeEventListener("abort", close);
      };
      signal.addEventListener("abort", close, { once: true });
      unsubscribe = open(channel);
      // Closed while opening (a finished run): what it subscribed to is let go now.
      if (closed) unsubscribe?.();
    },
    cancel() {
      closed = true;
      stop();
    },
  });
}
