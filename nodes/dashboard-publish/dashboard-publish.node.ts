import { z } from "zod";
import { seriesName } from "../_core/dashboard";
import type { SeriesPointInput } from "../_kit/context";
import { defineNode, ui } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import { NodeConfigError } from "../_kit/errors";

/** JSON a point may carry, at most, as text. */
export const MAX_POINT_DATA_BYTES = 16_384;
/** Points written in one statement. */
const WRITE_BATCH = 1000;

const config = z.object({
  series: seriesName.meta({ title: "Series", description: "The series the points go to, such as \"kitchen temperature\"; dashboards show series by name." }),
  value: z.unknown().meta({
    title: "Value",
    description: "What to record for each item, such as {{ temperature }}: numbers are charted; anything else is kept as JSON.",
    ...ui({ expression: true }),
  }),
  labels: z
    .array(
      z.object({
        name: z.string().trim().min(1, "A label needs a name").max(60, "Keep a label name under 60 characters").meta({ title: "Label" }),
        value: z.coerce.string().max(200, "Keep a label value under 200 characters").meta({ title: "Value", ...ui({ expression: true }) }),
      }),
    )
    .max(10, "A point takes at most 10 labels")
    .default([])
    .meta({ title: "Labels" }),
  unit: z.string().trim().max(20, "Keep a unit under 20 characters").optional().meta({ title: "Unit", description: "Shown beside the value, such as °C or ms." }),
});

/** The point for one item: a finite number is charted, anything else is kept as JSON; nothing at all is a mistake. */
function pointOf({ value, nodeName, index }: { value: unknown; nodeName: string; index: number }): Pick<SeriesPointInput, "value" | "data"> {
  if (value === undefined || value === null || value === "") {
    throw new NodeConfigError(`Node "${nodeName}": the value is empty for item ${index}; check that its expression names a field the item has`);
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new NodeConfigError(`Node "${nodeName}": the value for item ${index} is ${value}, which cannot be charted; give a finite number`);
    return { value, data: undefined };
  }
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
  if (bytes > MAX_POINT_DATA_BYTES) {
    throw new NodeConfigError(`Node "${nodeName}": the value for item ${index} is ${bytes} bytes of JSON; a point carries at most ${MAX_POINT_DATA_BYTES}`);
  }
  return { value: null, data: value };
}

/**
 * Records one point per item in a series of the workspace, for dashboards: kept apart from the run (for the
 * workspace's series retention), and sent to open dashboards as it is stored. Items go on unchanged.
 */
export const dashboardPublishNode = defineNode({
  type: "dashboard.publish",
  version: 1,
  name: "Publish to dashboard",
  description: "Records a value per item in a named series that dashboards chart, live.",
  category: "analytics",
  icon: "chart-line",
  config,
  starter: { series: "", value: "{{ value }}" },
  async execute({ input, ctx }) {
    const points: SeriesPointInput[] = [];
    for await (const { index, config: c } of eachItem({ input, ctx })) {
      const labels = c.labels.length ? Object.fromEntries(c.labels.map((label) => [label.name, label.value])) : undefined;
      points.push({ series: c.series, ...pointOf({ value: c.value, nodeName: ctx.node.name, index }), unit: c.unit || undefined, labels });
    }
    for (let start = 0; start < points.length; start += WRITE_BATCH) await ctx.series.append(points.slice(start, start + WRITE_BATCH));
    return input;
  },
});
