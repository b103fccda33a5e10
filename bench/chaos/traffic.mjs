// Steady webhook traffic for the chaos suite: one request every 1/rate seconds whatever the server does (an outage
// must not slow the callers down, as it would with a fixed number of connections), each answer kept with its run id,
// so every accepted run can be followed to its end. autocannon counts answers; here each one is needed.
import { Agent, request } from "undici";

/**
 * Starts sending; `stop()` stops sending, waits for the answers still due, and resolves with one record per request:
 * `{ sentAt, answeredAt, status, runId, error }` (status 0 and `error` when there was no answer within `timeoutMs`).
 */
export function startTraffic({ url, rate, body, contentType, timeoutMs = 30_000 }) {
  const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
  const records = [];
  const pending = new Set();
  const intervalMs = 1000 / rate;
  const startedAt = Date.now();
  let sent = 0;
  let stopped = false;

  async function send() {
    const record = { sentAt: Date.now(), answeredAt: null, status: 0, runId: null, error: null };
    records.push(record);
    try {
      const res = await request(url, {
        method: "POST",
        dispatcher: agent,
        headers: { "content-type": contentType },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.body.text();
      record.status = res.statusCode;
      if (res.statusCode >= 200 && res.statusCode < 300) record.runId = JSON.parse(text).runId ?? null;
    } catch (err) {
      record.error = err.code ?? err.name ?? String(err);
    }
    record.answeredAt = Date.now();
  }

  // Catches up after a late timer, so the rate holds on average even when the event loop is busy.
  const timer = setInterval(() => {
    const due = Math.floor((Date.now() - startedAt) / intervalMs) + 1;
    while (!stopped && sent < due) {
      sent++;
      const p = send();
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
  }, Math.max(5, Math.floor(intervalMs / 2)));

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(pending);
      await agent.close();
      return records;
    },
  };
}
