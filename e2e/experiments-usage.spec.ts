import { expect, test } from "@playwright/test";
import { startOpenAIServer } from "../nodes/llm/test-servers";
import { closeTestServers } from "../nodes/_kit/test-http-server";
import { ownWorkspace, signIn, trpc, uniqueEmail } from "./support/editor";
import { DESKTOP, snapThemes } from "./support/screens";

test.use({ viewport: DESKTOP });
test.afterAll(() => closeTestServers());

const manual = { id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 } };

test("the experiments page compares each A/B variant with its control, and the usage page shows tokens per model and day", async ({ page }, testInfo) => {
  await signIn(page, uniqueEmail("analyst"));
  const workspace = await ownWorkspace(page);
  const call = <T,>(kind: "query" | "mutation", path: string, input: unknown) => trpc<T>(page, kind, path, input);
  const runToEnd = async (flowId: string, input: unknown) => {
    const { runId } = await call<{ runId: string }>("mutation", "run.start", { workspaceId: workspace.id, flowId, input });
    await expect.poll(async () => (await call<{ status: string }>("query", "run.get", { workspaceId: workspace.id, runId })).status, { timeout: 20_000 }).toBe("succeeded");
  };

  // 200 visitors split between two checkout pages; the bright one converts far better.
  const shop = await call<{ id: string }>("mutation", "flow.create", {
    workspaceId: workspace.id,
    name: "Checkout test",
    document: {
      schema: "streamware.flow/1",
      nodes: [
        manual,
        { id: "split", type: "ab.split", name: "Split", position: { x: 260, y: 0 }, config: { experiment: "checkout", key: "{{ userId }}", variants: [{ name: "plain", weight: 50 }, { name: "bright", weight: 50 }] } },
      ],
      edges: [{ id: "e1", source: "start", target: "split" }],
    },
  });
  const visitors = Array.from({ length: 200 }, (_, i) => ({ userId: `visitor-${i}` }));
  await runToEnd(shop.id, visitors);
  const [assigned] = await call<{ variants: { name: string; exposures: number }[] }[]>("query", "abTest.results", { workspaceId: workspace.id, flowId: shop.id });
  expect(assigned!.variants.reduce((sum, v) => sum + v.exposures, 0)).toBe(200);
  // Who saw which page, from the split's own output, then purchases: most bright visitors, few plain ones.
  const run = await call<{ runs: { id: string }[] }>("query", "run.list", { workspaceId: workspace.id, flowId: shop.id });
  const detail = await call<{ steps: { nodeId: string; output: { items: Record<string, { json: { userId: string } }[]> } }[] }>("query", "run.get", { workspaceId: workspace.id, runId: run.runs[0]!.id });
  const split = detail.steps.find((s) => s.nodeId === "split")!.output.items;
  const buyers = [...split.bright!.filter((_, i) => i % 2 === 0), ...split.plain!.filter((_, i) => i % 10 === 0)].map((item) => item.json.userId);
  await call("mutation", "abTest.convert", { workspaceId: workspace.id, flowId: shop.id, experiment: "checkout", keys: buyers });

  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Experiments" }).click();
  await expect(page.getByRole("heading", { name: "Experiments", exact: true })).toBeVisible();
  const experiment = page.getByRole("region", { name: "Experiment checkout" });
  await expect(experiment.getByRole("link", { name: "Checkout test" })).toBeVisible();
  const plain = experiment.getByRole("row", { name: /^plain/ });
  const bright = experiment.getByRole("row", { name: /^bright/ });
  await expect(plain).toContainText(String(split.plain!.length));
  await expect(bright).toContainText(String(split.bright!.length));
  await expect(plain).toContainText("Control");
  await expect(bright).toContainText("Better at 95%");
  await expect(bright.getByRole("cell").nth(5)).toContainText(/\+\d+\.\d% \(\+\d+\.\d% to \+\d+\.\d%\)/);
  await expect(bright.getByRole("cell").nth(6)).toHaveText(/^(< 0\.0001|0\.\d{4})$/);
  await page.getByRole("combobox", { name: "Confidence" }).selectOption("0.99");
  await expect(experiment.getByRole("columnheader", { name: "Difference (99% interval)" })).toBeVisible();
  await snapThemes(page, testInfo, "experiments page");

  // An LLM call through a local OpenAI-compatible server, counted per model and day.
  const openai = await startOpenAIServer(() => ({ tokens: ["Counted ", "tokens."], usage: { prompt: 120, completion: 30 } }));
  const key = await call<{ id: string; name: string }>("mutation", "credential.create", { workspaceId: workspace.id, name: "OpenAI (local)", type: "openai.api", data: { apiKey: "sk-e2e-local", baseUrl: `${openai.url}/v1` } });
  const writer = await call<{ id: string }>("mutation", "flow.create", {
    workspaceId: workspace.id,
    name: "Writer",
    document: {
      schema: "streamware.flow/1",
      nodes: [
        manual,
        { id: "ask", type: "ai.llm", name: "Ask", position: { x: 260, y: 0 }, config: { providers: [{ kind: "openai", model: "gpt-test" }], prompt: "Say something" }, credentials: { "openai.api": { id: key.id, name: key.name } } },
      ],
      edges: [{ id: "e1", source: "start", target: "ask" }],
    },
  });
  await runToEnd(writer.id, {});
  await runToEnd(writer.id, {});

  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Usage" }).click();
  await expect(page.getByRole("heading", { name: "Usage", exact: true })).toBeVisible();
  await expect(page.getByRole("definition").first()).toHaveText("300");
  const model = page.getByRole("region", { name: "Tokens per model" }).getByRole("row", { name: /openai · gpt-test/ });
  await expect(model).toContainText("2");
  await expect(model).toContainText("240");
  await expect(model).toContainText("60");
  await expect(page.getByRole("img", { name: /Tokens per day from .* highest 300/ })).toBeVisible();
  await snapThemes(page, testInfo, "usage page");
});
