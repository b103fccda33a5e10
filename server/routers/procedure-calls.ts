import type { Db } from "../db";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { appRouter } from "./_app";
import { signInAs } from "./test-helpers";

export type Caller = Awaited<ReturnType<typeof signInAs>>["caller"];
export type Target = { workspaceId: string; flowId: string; credentialId: string; runId: string; email: string; ownerId: string; invitationId: string; apiKeyId: string; dashboardId: string; shareId: string };

/**
 * One call per workspace-scoped procedure, aimed at a target workspace (the tenancy and role tests use them). The list must name every
 * procedure that takes a workspaceId, so a new one cannot be added without being tried here.
 */
export const procedureCalls: Record<string, (caller: Caller, t: Target) => Promise<unknown>> = {
  "workspace.rename": (c, t) => c.workspace.rename({ workspaceId: t.workspaceId, name: "Owned" }),
  "workspace.members": (c, t) => c.workspace.members({ workspaceId: t.workspaceId }),
  "workspace.setRole": (c, t) => c.workspace.setRole({ workspaceId: t.workspaceId, memberId: t.ownerId, role: "viewer" }),
  "workspace.transferOwnership": (c, t) => c.workspace.transferOwnership({ workspaceId: t.workspaceId, memberId: t.ownerId }),
  "workspace.delete": (c, t) => c.workspace.delete({ workspaceId: t.workspaceId, confirmName: "Victim's workspace" }),
  "workspace.removeMember": (c, t) => c.workspace.removeMember({ workspaceId: t.workspaceId, memberId: t.ownerId }),
  "workspace.seriesRetention": (c, t) => c.workspace.seriesRetention({ workspaceId: t.workspaceId }),
  "workspace.setSeriesRetention": (c, t) => c.workspace.setSeriesRetention({ workspaceId: t.workspaceId, days: 1 }),
  "flow.list": (c, t) => c.flow.list({ workspaceId: t.workspaceId }),
  "flow.get": (c, t) => c.flow.get(t),
  "flow.create": (c, t) => c.flow.create({ workspaceId: t.workspaceId, name: "Planted" }),
  "flow.rename": (c, t) => c.flow.rename({ ...t, name: "Renamed" }),
  "flow.delete": (c, t) => c.flow.delete(t),
  "flow.setTags": (c, t) => c.flow.setTags({ ...t, tags: ["planted"] }),
  "flow.duplicate": (c, t) => c.flow.duplicate(t),
  "flow.saveDraft": (c, t) => c.flow.saveDraft({ ...t, document: { schema: FLOW_SCHEMA_TAG } }),
  "flow.saveVersion": (c, t) => c.flow.saveVersion({ ...t, document: { schema: FLOW_SCHEMA_TAG }, message: "" }),
  "flow.validate": (c, t) => c.flow.validate({ ...t, document: { schema: FLOW_SCHEMA_TAG } }),
  "flow.versions": (c, t) => c.flow.versions(t),
  "flow.version": (c, t) => c.flow.version({ ...t, number: 1 }),
  "flow.activate": (c, t) => c.flow.activate({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "flow.deactivate": (c, t) => c.flow.deactivate({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "flow.export": (c, t) => c.flow.export({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "credential.list": (c, t) => c.credential.list({ workspaceId: t.workspaceId }),
  "credential.create": (c, t) => c.credential.create({ workspaceId: t.workspaceId, name: "Planted", type: "webhook.secret", data: { secret: "planted-secret-0123" } }),
  "credential.test": (c, t) => c.credential.test({ workspaceId: t.workspaceId, credentialId: t.credentialId }),
  "credential.update": (c, t) => c.credential.update({ ...t, name: "Renamed" }),
  "credential.delete": (c, t) => c.credential.delete(t),
  "run.start": (c, t) => c.run.start({ workspaceId: t.workspaceId, flowId: t.flowId, input: { planted: true } }),
  "run.list": (c, t) => c.run.list({ workspaceId: t.workspaceId }),
  "run.get": (c, t) => c.run.get({ workspaceId: t.workspaceId, runId: t.runId }),
  "run.cancel": (c, t) => c.run.cancel({ workspaceId: t.workspaceId, runId: t.runId }),
  "usage.summary": (c, t) => c.usage.summary({ workspaceId: t.workspaceId }),
  "abTest.results": (c, t) => c.abTest.results({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "abTest.convert": (c, t) => c.abTest.convert({ workspaceId: t.workspaceId, flowId: t.flowId, experiment: "checkout", keys: ["user-1"] }),
  "abTest.reset": (c, t) => c.abTest.reset({ workspaceId: t.workspaceId, flowId: t.flowId, experiment: "checkout" }),
  "run.previewExpression": (c, t) => c.run.previewExpression({ workspaceId: t.workspaceId, flowId: t.flowId, runId: t.runId, nodeId: "start", expression: "{{ $json }}" }),
  "run.retry": (c, t) => c.run.retry({ workspaceId: t.workspaceId, runId: t.runId, from: "start" }),
  "run.delete": (c, t) => c.run.delete({ workspaceId: t.workspaceId, filter: {} }),
  "run.triggers": (c, t) => c.run.triggers({ workspaceId: t.workspaceId }),
  "webhookTest.listen": (c, t) => c.webhookTest.listen({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "webhookTest.stop": (c, t) => c.webhookTest.stop({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "webhookTest.state": (c, t) => c.webhookTest.state({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "abTest.overview": (c, t) => c.abTest.overview({ workspaceId: t.workspaceId }),
  "audit.list": (c, t) => c.audit.list({ workspaceId: t.workspaceId }),
  "audit.exportCsv": (c, t) => c.audit.exportCsv({ workspaceId: t.workspaceId }),
  "audit.retention": (c, t) => c.audit.retention({ workspaceId: t.workspaceId }),
  "audit.setRetention": (c, t) => c.audit.setRetention({ workspaceId: t.workspaceId, days: 1 }),
  "invitation.create": (c, t) => c.invitation.create({ workspaceId: t.workspaceId, email: t.email, role: "owner", linkBase: "http://127.0.0.1:3000" }),
  "invitation.list": (c, t) => c.invitation.list({ workspaceId: t.workspaceId }),
  "invitation.resend": (c, t) => c.invitation.resend({ workspaceId: t.workspaceId, invitationId: t.invitationId, linkBase: "http://127.0.0.1:3000" }),
  "invitation.revoke": (c, t) => c.invitation.revoke({ workspaceId: t.workspaceId, invitationId: t.invitationId }),
  "run.lastTriggerInput": (c, t) => c.run.lastTriggerInput({ workspaceId: t.workspaceId, flowId: t.flowId, trigger: "webhook" }),
  "sso.get": (c, t) => c.sso.get({ workspaceId: t.workspaceId }),
  // Loopback is refused by the SSRF-safe client before anything is stored: the save fails fast past the gate.
  "sso.save": (c, t) =>
    c.sso.save({
      workspaceId: t.workspaceId,
      settings: { protocol: "oidc", issuer: "http://127.0.0.1:9", clientId: "planted", clientSecret: "planted", domains: ["planted.test"], defaultRole: "admin", jitProvisioning: true, requireSso: false, enabled: true },
    }),
  "sso.delete": (c, t) => c.sso.delete({ workspaceId: t.workspaceId }),
  "apiKey.list": (c, t) => c.apiKey.list({ workspaceId: t.workspaceId }),
  "apiKey.create": (c, t) => c.apiKey.create({ workspaceId: t.workspaceId, name: "Planted", scopes: ["admin"] }),
  "apiKey.revoke": (c, t) => c.apiKey.revoke({ workspaceId: t.workspaceId, apiKeyId: t.apiKeyId }),
  "template.list": (c, t) => c.template.list({ workspaceId: t.workspaceId }),
  "template.create": (c, t) => c.template.create({ workspaceId: t.workspaceId, templateId: "ab-landing-page" }),
  "transfer.exportFlow": (c, t) => c.transfer.exportFlow({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "transfer.exportWorkspace": (c, t) => c.transfer.exportWorkspace({ workspaceId: t.workspaceId, includeVersions: true }),
  "transfer.preview": (c, t) => c.transfer.preview({ workspaceId: t.workspaceId, text: JSON.stringify({ name: "Planted", document: runnable }) }),
  "transfer.applyImport": (c, t) => c.transfer.applyImport({ workspaceId: t.workspaceId, text: JSON.stringify({ name: "Planted", document: runnable }), resolutions: {} }),
  "dashboard.list": (c, t) => c.dashboard.list({ workspaceId: t.workspaceId }),
  "dashboard.get": (c, t) => c.dashboard.get({ workspaceId: t.workspaceId, dashboardId: t.dashboardId }),
  "dashboard.create": (c, t) => c.dashboard.create({ workspaceId: t.workspaceId, name: "Planted" }),
  "dashboard.update": (c, t) => c.dashboard.update({ workspaceId: t.workspaceId, dashboardId: t.dashboardId, name: "Renamed" }),
  "dashboard.delete": (c, t) => c.dashboard.delete({ workspaceId: t.workspaceId, dashboardId: t.dashboardId }),
  "dashboard.series": (c, t) => c.dashboard.series({ workspaceId: t.workspaceId }),
  "dashboard.points": (c, t) => c.dashboard.points({ workspaceId: t.workspaceId, series: ["crown jewels"], from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" }),
  "dashboard.act": (c, t) => c.dashboard.act({ workspaceId: t.workspaceId, dashboardId: t.dashboardId, widgetId: "press", input: {} }),
  "dashboard.actResult": (c, t) => c.dashboard.actResult({ workspaceId: t.workspaceId, runId: t.runId, waitMs: 0 }),
  "dashboardProposal.propose": (c, t) => c.dashboardProposal.propose({ workspaceId: t.workspaceId, flowId: t.flowId }),
  "dashboardProposal.create": (c, t) =>
    c.dashboardProposal.create({ workspaceId: t.workspaceId, flowId: t.flowId, name: "Planted", widgets: [{ id: "w", kind: "stat", title: "", series: ["crown jewels"], layout: { x: 0, y: 0, w: 3, h: 2 } }] }),
  "dashboardProposal.layout": (c, t) => c.dashboardProposal.layout({ workspaceId: t.workspaceId, flowId: t.flowId, credentialId: t.credentialId, model: "m", description: "Everything" }),
  "dashboardShare.list": (c, t) => c.dashboardShare.list({ workspaceId: t.workspaceId, dashboardId: t.dashboardId }),
  "dashboardShare.create": (c, t) => c.dashboardShare.create({ workspaceId: t.workspaceId, dashboardId: t.dashboardId }),
  "dashboardShare.revoke": (c, t) => c.dashboardShare.revoke({ workspaceId: t.workspaceId, shareId: t.shareId }),
  "dashboardShare.setEmbedOrigins": (c, t) => c.dashboardShare.setEmbedOrigins({ workspaceId: t.workspaceId, dashboardId: t.dashboardId, origins: ["https://planted.example"] }),
  "dashboardShare.branding": (c, t) => c.dashboardShare.branding({ workspaceId: t.workspaceId }),
  "dashboardShare.updateBranding": (c, t) => c.dashboardShare.updateBranding({ workspaceId: t.workspaceId, branding: { name: "Planted", logo: null, accent: null } }),
};

/**
 * One call per instance procedure (`instanceProcedure`), aimed at the victim's workspace and owner: the role tests
 * make each as people who are not instance administrators, whatever their workspace roles. The list must name every
 * procedure that declares itself an instance action.
 */
export const instanceProcedureCalls: Record<string, (caller: Caller, t: Target) => Promise<unknown>> = {
  "admin.users": (c) => c.admin.users({}),
  "admin.workspaces": (c) => c.admin.workspaces({}),
  "admin.workspace": (c, t) => c.admin.workspace({ id: t.workspaceId }),
  "admin.setDisabled": (c, t) => c.admin.setDisabled({ userId: t.ownerId, disabled: true }),
  "admin.setAdmin": (c, t) => c.admin.setAdmin({ userId: t.ownerId, admin: false }),
  "admin.deletionPlan": (c, t) => c.admin.deletionPlan({ userId: t.ownerId }),
  "admin.deleteUser": (c, t) => c.admin.deleteUser({ userId: t.ownerId, confirmEmail: "victim", decisions: [{ workspaceId: t.workspaceId, deleteConfirmName: "Victim's workspace" }] }),
  "admin.audit": (c) => c.admin.audit({}),
  "admin.auditCsv": (c) => c.admin.auditCsv({}),
  "admin.domainClaims": (c) => c.admin.domainClaims({}),
  "admin.domainVerify": (c) => c.admin.domainVerify({ domain: "victim.test", connectionId: "victim-connection" }),
  "admin.domainRevoke": (c) => c.admin.domainRevoke({ domain: "victim.test", connectionId: "victim-connection" }),
  "admin.domainReject": (c) => c.admin.domainReject({ domain: "victim.test", connectionId: "victim-connection" }),
};

/** The procedures that declare themselves instance actions (`instanceProcedure`). */
export function instanceProcedures(): string[] {
  return Object.entries(appRouter._def.procedures)
    .filter(([, procedure]) => (procedure as unknown as { _def: { meta?: { instance?: true } } })._def.meta?.instance)
    .map(([path]) => path)
    .sort();
}

/**
 * The procedures that name a flow, credential or run: the intruder also tries them through their own
 * workspace, where the role check passes and only the resource's own scoping stands in the way.
 */
export const byResourceId = [
  "flow.get",
  "flow.rename",
  "flow.delete",
  "flow.setTags",
  "flow.duplicate",
  "flow.saveDraft",
  "flow.saveVersion",
  "flow.validate",
  "flow.versions",
  "flow.version",
  "flow.activate",
  "flow.deactivate",
  "flow.export",
  "credential.update",
  "credential.delete",
  "credential.test",
  "run.start",
  "run.get",
  "run.cancel",
  "abTest.results",
  "abTest.convert",
  "abTest.reset",
  "run.previewExpression",
  "run.retry",
  "webhookTest.listen",
  "webhookTest.stop",
  "webhookTest.state",
  "invitation.resend",
  "invitation.revoke",
  "run.lastTriggerInput",
  "apiKey.revoke",
  "transfer.exportFlow",
  "dashboard.get",
  "dashboard.update",
  "dashboard.delete",
  "dashboard.act",
  "dashboard.actResult",
  "dashboardProposal.propose",
  "dashboardProposal.create",
  "dashboardProposal.layout",
  "dashboardShare.list",
  "dashboardShare.create",
  "dashboardShare.revoke",
  "dashboardShare.setEmbedOrigins",
];

/** Manual trigger, then an hour's wait, and a webhook at `hookPath`: a run started from it keeps running while a test looks on. */
export function longRunningFlow(hookPath: string) {
  return {
    schema: FLOW_SCHEMA_TAG,
    nodes: [
      { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } },
      { id: "wait", name: "Wait", type: "core.delay", position: { x: 200, y: 0 }, config: { ms: 3_600_000 } },
      { id: "hook", name: "Hook", type: "core.webhook", position: { x: 0, y: 200 }, config: { path: hookPath } },
    ],
    edges: [{ id: "e1", source: "start", target: "wait" }],
  };
}

const runnable = longRunningFlow("crown-jewels");

export function workspaceScopedProcedures(): string[] {
  return Object.entries(appRouter._def.procedures)
    .filter(([, procedure]) => {
      const inputs = (procedure as unknown as { _def: { inputs: { shape?: Record<string, unknown> }[] } })._def.inputs;
      return inputs.some((input) => input.shape && "workspaceId" in input.shape);
    })
    .map(([path]) => path)
    .sort();
}

/** The victim's workspace: a saved, runnable flow, a credential and a run still going on. */
export async function victimWorkspace({ db }: { db: Db }) {
  const owner = await signInAs({ db, name: "Victim" });
  const intruder = await signInAs({ db, name: "Intruder" });
  const workspaceId = owner.workspace.id;
  const flow = await owner.caller.flow.create({ workspaceId, name: "Crown jewels", document: runnable });
  await owner.caller.flow.saveVersion({ workspaceId, flowId: flow.id, document: runnable, message: "v1" });
  const credential = await owner.caller.credential.create({ workspaceId, name: "Vault", type: "http.header-auth", data: { name: "X-Token", value: "t" } });
  const { runId } = await owner.caller.run.start({ workspaceId, flowId: flow.id });
  await running({ caller: owner.caller, workspaceId, runId });
  const invitation = await owner.caller.invitation.create({ workspaceId, email: "pending@example.test", role: "viewer", linkBase: "http://127.0.0.1:3000" });
  const apiKey = await owner.caller.apiKey.create({ workspaceId, name: "Victim's key", scopes: ["read"] });
  const dashboard = await owner.caller.dashboard.create({ workspaceId, name: "Vault room" });
  const { share } = await owner.caller.dashboardShare.create({ workspaceId, dashboardId: dashboard.id });
  const target: Target = {
    workspaceId,
    flowId: flow.id,
    credentialId: credential.id,
    runId,
    email: intruder.user.email,
    ownerId: owner.user.id,
    invitationId: invitation.id,
    apiKeyId: apiKey.key.id,
    dashboardId: dashboard.id,
    shareId: share.id,
  };
  return { owner, intruder, target };
}

/** Waits until the run's trigger step is stored, so the run is being executed and may be cancelled. */
async function running({ caller, workspaceId, runId }: { caller: Caller; workspaceId: string; runId: string }) {
  for (let poll = 0; poll < 1500; poll++) {
    const run = await caller.run.get({ workspaceId, runId });
    if (run.steps.some((s) => s.nodeId === "start")) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${runId} never started`);
}

