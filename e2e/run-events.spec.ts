import { expect, test } from "@playwright/test";
import { signIn, trpc } from "./support/editor";

test("a run's events stream live over SSE, and another user's run is not found", async ({ page, browser }) => {
  await signIn(page, "runner@example.test");

  const [workspace] = await trpc<{ id: string }[]>(page, "query", "workspace.list");
  const document = {
    schema: "streamware.flow/1",
    nodes: [
      { id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 } },
      { id: "wait", type: "core.delay", name: "Wait", position: { x: 200, y: 0 }, config: { ms: 300 } },
      { id: "greet", type: "core.set", name: "Greet", position: { x: 400, y: 0 }, config: { fields: [{ name: "greeting", value: "{{ 'Hello ' & name }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "wait" },
      { id: "e2", source: "wait", target: "greet" },
    ],
  };
  const flow = await trpc<{ id: string }>(page, "mutation", "flow.create", { workspaceId: workspace!.id, name: "Live events", document });
  const { runId } = await trpc<{ runId: string }>(page, "mutation", "run.start", { workspaceId: workspace!.id, flowId: flow.id, input: { name: "Ada" } });

  const events = await page.evaluate(
    (runId) =>
      new Promise<{ type: string; data: { nodeId?: string; status?: string } }[]>((resolve, reject) => {
        const seen: { type: string; data: { nodeId?: string; status?: string } }[] = [];
        const source = new EventSource(`/api/runs/${runId}/events`);
        const timer = setTimeout(() => reject(new Error(`no run.finished; saw ${seen.map((e) => e.type).join(", ")}`)), 20_000);
        for (const type of ["snapshot", "run.started", "step.started", "step.finished", "run.finished"]) {
          source.addEventListener(type, (event) => {
            seen.push({ type, data: JSON.parse((event as MessageEvent<string>).data) });
            if (type === "run.finished" || (type === "snapshot" && ["succeeded", "failed"].includes(seen[0]!.data.status ?? ""))) {
              clearTimeout(timer);
              source.close();
              resolve(seen);
            }
          });
        }
        source.onerror = () => {
          if (source.readyState === EventSource.CLOSED) reject(new Error("the event stream closed"));
        };
      }),
    runId,
  );
  expect(events[0]!.type).toBe("snapshot");
  // The delay keeps the run going long enough to watch the last steps finish live.
  expect(events.filter((e) => e.type === "step.finished").map((e) => e.data.nodeId)).toContain("greet");
  expect(events.at(-1)).toMatchObject({ type: "run.finished", data: { status: "succeeded" } });

  const run = await trpc<{ status: string; steps: { nodeId: string; output: { items: { out: { json: unknown }[] } } }[] }>(page, "query", "run.get", { workspaceId: workspace!.id, runId });
  expect(run.status).toBe("succeeded");
  expect(run.steps.find((s) => s.nodeId === "greet")!.output.items.out[0]!.json).toEqual({ name: "Ada", greeting: "Hello Ada" });

  // Someone else, signed in separately, gets the same answer as for a run that does not exist.
  const stranger = await browser.newContext();
  const other = await stranger.newPage();
  await signIn(other, "stranger@example.test");
  const theirs = await other.request.get(`/api/runs/${runId}/events`);
  expect(theirs.status()).toBe(404);
  const missing = await other.request.get("/api/runs/no-such-run/events");
  expect(missing.status()).toBe(404);
  expect(await theirs.json()).toEqual(await missing.json());
  await stranger.close();
});
