import type { SecretBox } from "../crypto";
import type { Db } from "../db";
import type { Prisma } from "../db/generated/client";
import type { Widget } from "../../nodes/_core/dashboard";
import { withPublishNodes, type AddedPublishNode } from "../../nodes/_core/dashboard-feed";
import { LLM_LAYOUT_LIMITS, llmLayoutAnswerSchema, llmLayoutPrompt, widgetsFromLlmAnswer, type LlmLayoutResult } from "../../nodes/_core/dashboard-llm-layout";
import { PROPOSAL_LIMITS, proposeWidgets } from "../../nodes/_core/dashboard-proposals";
import { parseFlowDocument, type FlowDocument } from "../../nodes/_core/flow-document";
import type { HttpClient } from "../../nodes/_kit/context";
import { chat, describeProvider, type LlmProvider } from "../../nodes/llm/llm-client";
import { requireActivatable, webhookRoutes, activationService } from "./activation-service";
import { auditService } from "./audit-service";
import { openCredentialForRun } from "./credential-service";
import { flowService } from "./flow-service";
import { runService } from "./run-service";
import { ServiceError } from "./service-error";
import { workspaceService } from "./workspace-service";

/** The credential types a layout can be asked of, and the provider each speaks. */
export const LLM_CREDENTIAL_TYPES = { "openai.api": "openai", "ollama.api": "ollama" } as const;

/** What creating a dashboard did to its flow, for the person to read. */
export interface FeedOutcome {
  /** Publish nodes added to the flow, each after the node whose output it records. */
  added: AddedPublishNode[];
  /** "live": added to the active version too (saved as a new version and activated); "draft": to the draft only. */
  where: "live" | "draft" | "none";
  notes: string[];
}

type Tx = Prisma.TransactionClient;

const sameDocument = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Widgets proposed for a dashboard from what a flow's latest successful runs sent out. */
export const dashboardProposalService = {
  /** `runs` is how many of the flow's latest successful runs were read: none means the flow has to run first. */
  async propose({ db, workspaceId, flowId, runs }: { db: Db; workspaceId: string; flowId: string; runs: number }) {
    // Steps beyond the nodes proposals look at would be read for nothing.
    const recent = await runService.recentStepOutputs({ db, workspaceId, flowId, runs, stepsPerRun: PROPOSAL_LIMITS.nodes });
    return { runs: recent.runs, proposals: proposeWidgets({ flowId, samples: recent.samples }) };
  },

  /**
   * Creates a dashboard of the widgets a person kept, and makes the flow feed it: for each series a widget shows
   * that a proposal names and no publish node of the flow writes yet, a `dashboard.publish` node goes after the
   * node the data came from, in the flow's draft. When the flow is active and its draft is its active version,
   * that draft is saved as a new version and activated, so the next trigger feeds the dashboard; a draft with
   * other unsaved changes is left for the person to save. All in one transaction.
   */
  async create({ db, userId, workspaceId, flowId, runs, name, widgets }: { db: Db; userId: string; workspaceId: string; flowId: string; runs: number; name: string; widgets: Widget[] }) {
    // The flow is changed, and may have a new version made live: both are the caller's to do.
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "flow.edit" });
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "flow.activate" });
    const { proposals } = await dashboardProposalService.propose({ db, workspaceId, flowId, runs });
    const series = [...new Set(widgets.flatMap((w) => w.series))];
    return db.$transaction(async (tx) => {
      const feed = await feedFlow({ tx, userId, workspaceId, flowId, series, proposals });
      const row = await tx.dashboard.create({ data: { workspaceId, name, widgets: widgets as Prisma.InputJsonValue, createdById: userId }, select: { id: true } });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "dashboard.create", targetType: "dashboard", targetId: row.id, data: { name, fromFlow: flowId, publishNodes: feed.added.length } },
      });
      return { id: row.id, feed };
    });
  },

  /**
   * "Describe the dashboard you want": asks the model of a workspace's OpenAI or Ollama credential to choose and
   * order widgets from what the flow's proposals offer, through the LLM node's client. The prompt, the answer and
   * the time taken are bounded; each widget of the answer that does not pass the widget schema or names a series
   * not on offer is left out with a note. A provider that fails is answered with what it said.
   */
  async layout({
    db,
    box,
    openHttp,
    workspaceId,
    flowId,
    runs,
    credentialId,
    model,
    description,
  }: {
    db: Db;
    box: SecretBox;
    openHttp: () => HttpClient & { close(): Promise<void> };
    workspaceId: string;
    flowId: string;
    runs: number;
    credentialId: string;
    model: string;
    description: string;
  }): Promise<LlmLayoutResult & { offered: number }> {
    const row = await db.credential.findFirst({ where: { id: credentialId, workspaceId }, select: { name: true, type: true } });
    if (!row) throw new ServiceError({ code: "NOT_FOUND", message: "Credential not found" });
    const kind = LLM_CREDENTIAL_TYPES[row.type as keyof typeof LLM_CREDENTIAL_TYPES];
    if (!kind) throw new ServiceError({ code: "BAD_REQUEST", message: `Credential "${row.name}" is a ${row.type} credential; pick an OpenAI or Ollama credential to lay out a dashboard.` });
    const data = await openCredentialForRun({ db, box, workspaceId, ref: { id: credentialId, name: row.name }, type: row.type });
    const provider: LlmProvider =
      kind === "openai"
        ? { kind, model, baseUrl: data.baseUrl || undefined, apiKey: data.apiKey, organization: data.organization || undefined }
        : { kind, model, baseUrl: data.baseUrl || undefined, apiKey: data.apiKey || undefined };

    const { proposals } = await dashboardProposalService.propose({ db, workspaceId, flowId, runs });
    if (proposals.length === 0) throw new ServiceError({ code: "BAD_REQUEST", message: "The flow has no output to lay out yet: run it once, then describe the dashboard." });
    const { system, prompt, offered } = llmLayoutPrompt({ description, proposals });

    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(new Error(`no answer within ${LLM_LAYOUT_LIMITS.timeoutMs / 1000} s`)), LLM_LAYOUT_LIMITS.timeoutMs);
    let length = 0;
    const http = openHttp();
    try {
      const answer = await chat({
        provider,
        system,
        prompt,
        temperature: 0,
        maxTokens: LLM_LAYOUT_LIMITS.maxTokens,
        jsonSchema: llmLayoutAnswerSchema as unknown as Record<string, unknown>,
        fetch: http.fetch,
        signal: stop.signal,
        retry: { attempts: 2 },
        timeoutMs: LLM_LAYOUT_LIMITS.timeoutMs,
        onToken: (delta) => {
          length += delta.length;
          if (length > LLM_LAYOUT_LIMITS.answer) stop.abort(new Error(`its answer ran past ${LLM_LAYOUT_LIMITS.answer} characters`));
        },
      });
      // A reply that is not streamed token by token is measured whole.
      if (answer.text.length > LLM_LAYOUT_LIMITS.answer) throw new Error(`its answer ran past ${LLM_LAYOUT_LIMITS.answer} characters`);
      return { ...widgetsFromLlmAnswer({ answer: answer.json, proposals, flowId }), offered };
    } catch (err) {
      const who = describeProvider(provider);
      const said = stop.signal.aborted && stop.signal.reason instanceof Error ? stop.signal.reason.message : err instanceof Error ? err.message : String(err);
      // The client's errors start with the provider too: it is named once.
      const why = said.startsWith(who) ? said.slice(who.length).replace(/^\s*(\([^)]*\)\s*)?(failed:\s*)?/, "") : said;
      throw new ServiceError({ code: "BAD_REQUEST", message: `${who} (${model}) could not lay out the dashboard: ${why}` });
    } finally {
      clearTimeout(timer);
      await http.close();
    }
  },
};

/** The publish nodes the widgets' series need, added to the flow's draft (and its live version when that is the draft). */
async function feedFlow({ tx, userId, workspaceId, flowId, series, proposals }: { tx: Tx; userId: string; workspaceId: string; flowId: string; series: string[]; proposals: ReturnType<typeof proposeWidgets> }): Promise<FeedOutcome> {
  const flow = await tx.flow.findFirst({ where: { id: flowId, workspaceId }, select: { draft: true, activeVersion: { select: { document: true } } } });
  if (!flow) throw new ServiceError({ code: "NOT_FOUND", message: "Flow not found" });
  const parsed = parseFlowDocument(flow.draft);
  if (!parsed.ok) throw new ServiceError({ code: "BAD_REQUEST", message: "The flow's draft cannot be read; open it in the editor and save it before making a dashboard from it." });
  const { document, added, missing } = withPublishNodes({ document: parsed.document, proposals, series });
  const notes = missing.map((m) => `Series "${m.series}" is not fed: node "${m.node}" is no longer in the flow's draft.`);
  if (added.length === 0) return { added, where: "none", notes };
  const active = flow.activeVersion ? parseFlowDocument(flow.activeVersion.document) : null;
  if (!active?.ok || !sameDocument(active.document, parsed.document)) {
    await flowService.saveDraftWithin({ tx, userId, workspaceId, flowId, draft: document });
    if (flow.activeVersion) notes.push("The publish nodes are in the flow's draft, which has other unsaved changes: save a version and activate it so triggers feed the dashboard.");
    else notes.push("The publish nodes are in the flow's draft: runs of the draft feed the dashboard; save and activate the flow so its triggers do.");
    return { added, where: "draft", notes };
  }
  const checked: FlowDocument = requireActivatable(document, "The publish nodes could not be added, since the flow would not run");
  const version = await flowService.saveVersionWithin({ tx, userId, workspaceId, flowId, document: checked, message: `Publish to dashboard: ${added.map((a) => a.series).join(", ")}`.slice(0, 500) });
  await activationService.activateWithin({ tx, userId, workspaceId, flowId, version, routes: webhookRoutes(checked) });
  notes.push(`Version ${version.number} of the flow, with the publish nodes, is now active.`);
  return { added, where: "live", notes };
}
