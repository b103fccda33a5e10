import type { Db } from "../db";
import type { Prisma } from "../db/generated/client";
import type { BinaryRef, Item } from "../../nodes/_kit/items";
import { formFieldNames, isControlKind, widget as widgetSchema, WIDGET_ACT_WAIT_MS, WIDGET_OUTPUT_MAX_CHARS, type Widget, type WidgetActResult } from "../../nodes/_core/dashboard";
import { describeInputProblems, widgetInputSchema } from "../../nodes/_core/dashboard-controls";
import type { RunSpec, RunStatus } from "../../nodes/_core/run-types";
import { auditService } from "./audit-service";
import { runService } from "./run-service";
import { ServiceError } from "./service-error";
import { voiceService, type PreparedRecording } from "./voice-service";
import { workspaceService } from "./workspace-service";

/**
 * Who acts through a dashboard's control widget: a member of its workspace (their role checked here as for
 * `run.start`), or a shared link to it, which may start only the widgets its owner allowed.
 */
export type WidgetActor = { kind: "member"; userId: string; workspaceId: string } | { kind: "share"; workspaceId: string; shareId: string };

/** What acting needs of the runtime: starting runs and waiting for their end. */
export interface WidgetRuntime {
  enqueue(spec: RunSpec): Promise<string>;
  waitForRun(runId: string, timeoutMs: number): Promise<{ status: RunStatus }>;
}

/** A widget's run made ready to start, once what it takes (a recording) is stored. */
export interface PreparedWidgetRun extends PreparedRecording {
  actor: WidgetActor;
  dashboardId: string;
  widgetId: string;
}

const dashboardNotFound = () => new ServiceError({ code: "NOT_FOUND", message: "Dashboard not found" });

/** The control widget acted through, in the actor's workspace; another workspace's dashboard is not found, like a missing one. */
async function controlWidget({ db, dashboardId, widgetId, actor }: { db: Db; dashboardId: string; widgetId: string; actor: WidgetActor }): Promise<Widget & { action: NonNullable<Widget["action"]> }> {
  const row = await db.dashboard.findFirst({ where: { id: dashboardId, workspaceId: actor.workspaceId }, select: { widgets: true } });
  if (!row) throw dashboardNotFound();
  const stored = (Array.isArray(row.widgets) ? row.widgets : []).find((w) => w && typeof w === "object" && !Array.isArray(w) && w.id === widgetId);
  const parsed = stored ? widgetSchema.safeParse(stored) : null;
  if (!parsed?.success) throw new ServiceError({ code: "NOT_FOUND", message: "The dashboard has no such widget; reload it to see its widgets as they are now." });
  const found = parsed.data;
  if (!isControlKind(found.kind) || !found.action) throw new ServiceError({ code: "BAD_REQUEST", message: `"${found.title || found.kind}" shows data and starts nothing.` });
  if (actor.kind === "share" && !found.action.shared) {
    throw new ServiceError({ code: "FORBIDDEN", message: `"${found.title || found.kind}" cannot be used from a shared link; its owner has not allowed that.` });
  }
  return { ...found, action: found.action };
}

/**
 * A dashboard starts the flow's active version, as its other triggers do: what a button sets off does not change
 * while someone edits the flow, and a shared link never runs a draft.
 */
async function prepare({ db, actor, flowId, input }: { db: Db; actor: WidgetActor; flowId: string; input: unknown }): Promise<RunSpec> {
  if (actor.kind === "member") await workspaceService.requireRole({ db, userId: actor.userId, workspaceId: actor.workspaceId, permission: "run.control" });
  const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId: actor.workspaceId }, select: { name: true, activeVersionId: true } });
  if (!flow) throw new ServiceError({ code: "NOT_FOUND", message: "The flow this widget starts no longer exists; choose another in the widget's settings." });
  if (!flow.activeVersionId) throw new ServiceError({ code: "BAD_REQUEST", message: `The flow "${flow.name}" is not active; activate a version of it in the editor so this widget can start it.` });
  return runService.prepareRun({ db, workspaceId: actor.workspaceId, flowId, input, source: "active" });
}

/** Starts the run and writes who started it from where, as `run.start` does. */
async function startRun({ db, runtime, spec, actor, dashboardId, widgetId }: { db: Db; runtime: WidgetRuntime; spec: RunSpec; actor: WidgetActor; dashboardId: string; widgetId: string }): Promise<string> {
  const runId = await runtime.enqueue(spec);
  const data: Prisma.InputJsonValue = { flowId: spec.flowId, source: "active", dashboardId, widgetId };
  if (actor.kind === "member") {
    await runService.audit({ db, userId: actor.userId, workspaceId: actor.workspaceId, runId, action: "run.start", data });
  } else {
    await db.$transaction((tx) =>
      auditService.record({ tx, entry: { workspaceId: actor.workspaceId, actorId: actor.shareId, actorKind: "shareLink", action: "run.start", targetType: "run", targetId: runId, data } }),
    );
  }
  return runId;
}

/** The run's output as a widget shows it: one item's JSON, or the list of them; cut to a bounded length. */
function shownOutput(items: Item[]): Pick<WidgetActResult, "output" | "outputTruncated"> {
  if (items.length === 0) return {};
  const output = items.length === 1 ? items[0]!.json : items.map((item) => item.json);
  const text = JSON.stringify(output);
  if (text.length <= WIDGET_OUTPUT_MAX_CHARS) return { output };
  return { output: text.slice(0, WIDGET_OUTPUT_MAX_CHARS), outputTruncated: true };
}

/** Waits a bounded time for the run's end, then tells how it stands. */
async function settle({ db, runtime, workspaceId, runId, waitMs = WIDGET_ACT_WAIT_MS }: { db: Db; runtime: WidgetRuntime; workspaceId: string; runId: string; waitMs?: number }): Promise<WidgetActResult> {
  // A run still going when the wait ends is answered as it stands; the widget says so.
  const finished = waitMs > 0 ? await runtime.waitForRun(runId, Math.min(waitMs, WIDGET_ACT_WAIT_MS)).catch(() => null) : null;
  const outcome = await runService.outcome({ db, workspaceId, runId });
  // The flow's settings may keep no record of its runs: the end event still says how it went.
  if (!outcome) return { runId, status: finished?.status ?? "running" };
  return {
    runId,
    status: outcome.status,
    ...(outcome.status === "succeeded" ? shownOutput(outcome.items) : {}),
    ...(outcome.error?.message ? { error: outcome.error.message } : {}),
  };
}

export const dashboardActionService = {
  /**
   * Starts the flow of a control widget (button, form, switch, slider) with what was entered, checked against the
   * widget; answers once the run finished, or after WIDGET_ACT_WAIT_MS with the run still going.
   */
  async start({
    db,
    runtime,
    dashboardId,
    widgetId,
    input,
    actor,
  }: {
    db: Db;
    runtime: WidgetRuntime;
    dashboardId: string;
    widgetId: string;
    input: unknown;
    actor: WidgetActor;
  }): Promise<WidgetActResult> {
    const found = await controlWidget({ db, dashboardId, widgetId, actor });
    const schema = widgetInputSchema(found);
    if (!schema) throw new ServiceError({ code: "BAD_REQUEST", message: `"${found.title || "The voice widget"}" takes a recording: hold its button while you speak.` });
    const parsed = schema.safeParse(input);
    if (!parsed.success) throw new ServiceError({ code: "BAD_REQUEST", message: describeInputProblems(parsed.error, found.form ? formFieldNames(found.form) : []), details: { issues: parsed.error.issues } });
    const spec = await prepare({ db, actor, flowId: found.action.flowId, input: parsed.data ?? {} });
    const runId = await startRun({ db, runtime, spec, actor, dashboardId, widgetId });
    return settle({ db, runtime, workspaceId: actor.workspaceId, runId });
  },

  /**
   * Before a hold-to-talk widget's recording is read: checks the actor may use the widget and what run it starts
   * (from the flow's voice command trigger when it has one), with the largest recording that flow takes.
   */
  async prepareVoice({ db, dashboardId, widgetId, actor }: { db: Db; dashboardId: string; widgetId: string; actor: WidgetActor }): Promise<PreparedWidgetRun> {
    const found = await controlWidget({ db, dashboardId, widgetId, actor });
    if (found.kind !== "voice") throw new ServiceError({ code: "BAD_REQUEST", message: `"${found.title || found.kind}" is not a hold-to-talk widget; it takes no recording.` });
    const spec = await prepare({ db, actor, flowId: found.action.flowId, input: {} });
    return { ...voiceService.recordingRun(spec), actor, dashboardId, widgetId };
  },

  /** Starts a prepared hold-to-talk run with its stored recording and answers like `start`. */
  async startVoice({ db, runtime, prepared, audio }: { db: Db; runtime: WidgetRuntime; prepared: PreparedWidgetRun; audio: BinaryRef }): Promise<WidgetActResult> {
    const { actor, dashboardId, widgetId } = prepared;
    const userId = actor.kind === "member" ? actor.userId : undefined;
    const spec = { ...prepared.spec, triggerItems: [voiceService.recordingItem({ audio, userId })] };
    const runId = await startRun({ db, runtime, spec, actor, dashboardId, widgetId });
    return settle({ db, runtime, workspaceId: actor.workspaceId, runId });
  },

  /**
   * A run of the workspace as a widget shows it, once it finished or after `waitMs` (at most WIDGET_ACT_WAIT_MS)
   * with it still going: for a recording sent through the flow's voice route. Another workspace's run is not found.
   */
  async result({ db, runtime, workspaceId, runId, waitMs }: { db: Db; runtime: WidgetRuntime; workspaceId: string; runId: string; waitMs?: number }): Promise<WidgetActResult> {
    if ((await runService.workspaceOf({ db, runId })) !== workspaceId) throw new ServiceError({ code: "NOT_FOUND", message: "Run not found" });
    return settle({ db, runtime, workspaceId, runId, waitMs });
  },
};
