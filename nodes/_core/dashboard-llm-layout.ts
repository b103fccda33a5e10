import { z } from "zod";
import { DEFAULT_WIDGET_SIZE, GRID_COLUMNS, isControlKind, MAX_WIDGET_ROWS, MAX_WIDGETS, widget, widgetKinds, type Widget } from "./dashboard";
import { layoutWidgets, type WidgetProposal } from "./dashboard-proposals";

/**
 * "Describe the dashboard you want": what a language model is told (the person's words and the series the flow
 * feeds, each with the widgets proposed for it) and how its answer becomes widgets. Every widget of the answer is
 * checked against the widget schema and the series on offer; what fails is left out with a note saying why. Pure:
 * the service sends the prompt through the LLM node's client.
 */

export const LLM_LAYOUT_LIMITS = {
  /** Characters of the person's description. */
  description: 2000,
  /** Characters of the whole prompt; proposals beyond it are not offered. */
  prompt: 16_000,
  /** Characters of the model's answer that are read; a longer one is refused. */
  answer: 32_000,
  /** Tokens the model may answer with. */
  maxTokens: 4000,
  /** How long the model may take, over every attempt. */
  timeoutMs: 90_000,
  /** Notes kept about dropped widgets. */
  notes: 50,
} as const;

/** The kinds a model may choose: those that show data (control widgets start flows, which a person sets up). */
const dataKinds = widgetKinds.filter((kind) => !isControlKind(kind));

/**
 * The JSON the model is asked for: loose (the kinds are named in the prompt, not enforced here), so that each
 * widget is judged on its own and a bad one costs only itself.
 */
export const llmLayoutAnswerSchema = {
  type: "object",
  properties: {
    widgets: {
      type: "array",
      items: {
        type: "object",
        properties: {
          kind: { type: "string" },
          title: { type: "string" },
          series: { type: "array", items: { type: "string" } },
          field: { type: "string" },
          unit: { type: "string" },
          markdown: { type: "boolean" },
          experiment: { type: "string" },
          w: { type: "integer" },
          h: { type: "integer" },
        },
        required: ["kind", "title", "series"],
      },
    },
  },
  required: ["widgets"],
} as const;

const answerSchema = z.object({ widgets: z.array(z.unknown()) });

const system = [
  "You lay out dashboards of live data. Choose widgets for the series offered and order them, the most important first.",
  `Answer with JSON only: {"widgets":[{"kind","title","series":[...],"field"?,"unit"?,"markdown"?,"experiment"?,"w"?,"h"?}]}.`,
  `Kinds: ${dataKinds.join(", ")}. stat: one number with a sparkline; timeseries: numbers over time (several series allowed); bar: a bar per row of a list, "field" names the numeric column;`,
  `table: a list of records; text: text ("markdown": true to format it); status: a light for a yes/no or status word; media: a player for an image, audio, video or HLS address;`,
  `abTest: compares an experiment's variants ("experiment" names it, "series" is []); weather: a forecast card.`,
  `Use only the series and experiments offered, by their exact names. w is the width in columns (1 to ${GRID_COLUMNS}), h the height in rows (1 to ${MAX_WIDGET_ROWS}); leave them out for the usual size.`,
  `At most ${MAX_WIDGETS} widgets.`,
].join("\n");

/** The prompt for a description over a flow's proposals, within LLM_LAYOUT_LIMITS.prompt characters. */
export function llmLayoutPrompt({ description, proposals }: { description: string; proposals: readonly WidgetProposal[] }): { system: string; prompt: string; offered: number } {
  const head = `The dashboard wanted:\n${description.trim().slice(0, LLM_LAYOUT_LIMITS.description)}\n\nWhat the flow feeds, with the widgets proposed for each (kind, series, why):\n`;
  let prompt = head;
  let offered = 0;
  for (const proposal of proposals) {
    const { kind, title, series, field, unit, experiment } = proposal.widget;
    const line = `- ${JSON.stringify({ kind, title, series, ...(field ? { field } : {}), ...(unit ? { unit } : {}), ...(experiment ? { experiment: experiment.name } : {}) })} ${proposal.reason.slice(0, 300)}\n`;
    if (system.length + prompt.length + line.length > LLM_LAYOUT_LIMITS.prompt) break;
    prompt += line;
    offered++;
  }
  return { system, prompt, offered };
}

export interface LlmLayoutResult {
  widgets: Widget[];
  /** One sentence per widget of the answer that was left out, saying why. */
  notes: string[];
}

const seriesOf = (proposals: readonly WidgetProposal[]) => new Set(proposals.flatMap((p) => p.widget.series));

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "it does not fit the widget schema";
  const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
  return `${where}${issue.message}`;
}

/**
 * The model's answer as widgets laid out on the grid, in its order. Only the proposals' series and experiments may
 * be shown; each widget that does not pass is left out with a note naming it and what was wrong.
 */
export function widgetsFromLlmAnswer({ answer, proposals, flowId }: { answer: unknown; proposals: readonly WidgetProposal[]; flowId: string }): LlmLayoutResult {
  const notes: string[] = [];
  const note = (text: string) => {
    if (notes.length < LLM_LAYOUT_LIMITS.notes) notes.push(text);
  };
  const parsed = answerSchema.safeParse(answer);
  if (!parsed.success) return { widgets: [], notes: ['The model did not answer with a list of widgets ({"widgets": [...]}).'] };
  const offered = seriesOf(proposals);
  const experiments = new Map(proposals.flatMap((p) => (p.widget.experiment ? [[p.widget.experiment.name, p.widget.experiment] as const] : [])));
  const widgets: Widget[] = [];
  for (const [index, raw] of parsed.data.widgets.entries()) {
    const named = (what: string) => {
      const title = raw && typeof raw === "object" && "title" in raw && typeof raw.title === "string" && raw.title.trim() ? `"${raw.title.trim().slice(0, 60)}"` : `number ${index + 1}`;
      note(`Widget ${title} was left out: ${what}.`);
    };
    if (widgets.length >= MAX_WIDGETS) {
      named(`a dashboard holds at most ${MAX_WIDGETS} widgets`);
      continue;
    }
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
      named("it is not an object");
      continue;
    }
    const { w, h, experiment, ...fields } = raw as Record<string, unknown>;
    const kind = fields.kind;
    if (typeof kind === "string" && isControlKind(kind as Widget["kind"])) {
      named(`a ${kind} widget starts a flow, which a person sets up by hand`);
      continue;
    }
    const size = typeof kind === "string" && kind in DEFAULT_WIDGET_SIZE ? DEFAULT_WIDGET_SIZE[kind as Widget["kind"]] : { w: 6, h: 4 };
    const candidate: Record<string, unknown> = {
      ...fields,
      id: `${typeof kind === "string" ? kind.replace(/[^A-Za-z]/g, "").slice(0, 20) : "widget"}-${index + 1}`,
      title: typeof fields.title === "string" ? fields.title : "",
      layout: { x: 0, y: 0, w: typeof w === "number" ? w : size.w, h: typeof h === "number" ? h : size.h },
    };
    if (experiment !== undefined) {
      const found = typeof experiment === "string" ? experiments.get(experiment.trim()) : undefined;
      if (!found) {
        named(`experiment ${JSON.stringify(experiment).slice(0, 60)} is not one this flow runs`);
        continue;
      }
      candidate.experiment = { flowId, name: found.name };
    }
    const checked = widget.safeParse(candidate);
    if (!checked.success) {
      named(describeIssue(checked.error));
      continue;
    }
    const unknown = checked.data.series.filter((name) => !offered.has(name));
    if (unknown.length) {
      named(`${unknown.map((name) => `"${name}"`).join(", ")} ${unknown.length === 1 ? "is not a series" : "are not series"} this flow feeds`);
      continue;
    }
    if (checked.data.kind !== "abTest" && checked.data.series.length === 0) {
      named("it shows no series");
      continue;
    }
    widgets.push(checked.data);
  }
  return { widgets: layoutWidgets(widgets), notes };
}
