import { Histogram, Registry, type RegistryContentType } from "prom-client";
import { describe, expect, it } from "vitest";
import { CountingHistogram } from "./counting-histogram";

const bounds = [0.001, 0.01, 0.1, 1];

/** The same observations in prom-client's own histogram and in ours, each in a registry with a default label. */
function both(observations: [string[], number][], contentType: "text" | "openmetrics" = "text") {
  const make = () => {
    const registry = new Registry<RegistryContentType>();
    if (contentType === "openmetrics") registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    return registry;
  };
  const theirs = make();
  const ours = make();
  for (const registry of [theirs, ours]) registry.setDefaultLabels({ role: "web" });
  const reference = new Histogram({ name: "steps_seconds", help: "How long steps took.", labelNames: ["node_type", "status"], buckets: bounds, registers: [theirs] });
  const counting = new CountingHistogram("steps_seconds", "How long steps took.", ["node_type", "status"], bounds, ours);
  for (const [[nodeType, status], value] of observations) {
    reference.observe({ node_type: nodeType!, status: status! }, value);
    counting.observe([nodeType!, status!], value);
  }
  return { theirs, ours, counting };
}

describe("CountingHistogram", () => {
  it("is scraped exactly as prom-client's histogram is, for values on, between and above its bounds", async () => {
    const { theirs, ours } = both([
      [["core.set", "succeeded"], 0.0004],
      [["core.set", "succeeded"], 0.001],
      [["core.set", "succeeded"], 0.05],
      [["core.http-request", "failed"], 2.5],
      [["core.set", "failed"], 1],
      [["ai.\"quoted\"\\node", "succeeded"], 0.2],
    ]);
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('steps_seconds_bucket{le="0.001",role="web",node_type="core.set",status="succeeded"} 2');
    expect(text).toContain('steps_seconds_count{role="web",node_type="core.http-request",status="failed"} 1');
  });

  it("reads the same as JSON and in the OpenMetrics format, and starts over when reset", async () => {
    const { theirs, ours, counting } = both([[["core.set", "succeeded"], 0.003]]);
    // prom-client adds an empty exemplar to each of its values; there are none here.
    const withoutExemplars = (metrics: Awaited<ReturnType<Registry["getMetricsAsJSON"]>>) =>
      metrics.map((metric) => ({ ...metric, values: metric.values.map(({ labels, value, ...rest }) => ({ labels, value, metricName: (rest as { metricName?: string }).metricName })) }));
    expect(withoutExemplars(await ours.getMetricsAsJSON())).toEqual(withoutExemplars(await theirs.getMetricsAsJSON()));
    const open = both([[["core.set", "succeeded"], 0.003]], "openmetrics");
    expect(await open.ours.metrics()).toBe(await open.theirs.metrics());
    counting.reset();
    expect(await ours.metrics()).not.toContain("steps_seconds_count");
  });

  it("leaves out a value that is not a number", async () => {
    const { ours, counting } = both([[["core.set", "succeeded"], 0.003]]);
    counting.observe(["core.set", "succeeded"], Number.NaN);
    expect(await ours.metrics()).toContain('steps_seconds_sum{role="web",node_type="core.set",status="succeeded"} 0.003');
  });
});
