import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import pino, { type Logger } from "pino";
import { z } from "zod";
import { Runtime } from "../runner/runtime";
import { handOverRuntime } from "./runtime-handover";
import type { StoredPorts } from "../nodes/_core/step-data";
import { getConnection, type Db } from "./db";
import { migrateDatabase } from "./db/prepare";
import type { DbConnection } from "./db/connect";
import { ConfigError, env } from "./env";
import { describeIssues } from "../nodes/_core/flow-document";
import { issueList, issuesOf, readImportFile, type ImportFile } from "./flow-import";
import { webhookUrlPath } from "../nodes/_core/webhook-url";
import { formatImportReport } from "../nodes/_interop/import-report";
import { listRunsInput } from "./routers/run.schema";
import { ensureSecrets, instanceKeys, storeSecrets } from "./secrets";
import { BackupError, parseBackupKey, type BackupKey } from "./backup/archive";
import { backupService, type BackupSummary } from "./services/backup-service";
import { binaryDirOf } from "../runner/ports";
import { verifyAuditChain } from "./services/audit-chain";
import { auditService } from "./services/audit-service";
import { flowService } from "./services/flow-service";
import { instanceAdminService } from "./services/instance-admin-service";
import { keyRotationService } from "./services/key-rotation-service";
import { secretBox } from "./crypto";
import { transferService } from "./services/transfer-service";
import { runService, type RunSummary } from "./services/run-service";
import { ServiceError } from "./services/service-error";
import { userService } from "./services/user-service";
import { workspaceService } from "./services/workspace-service";
import type { WorkspaceSummary } from "./services/workspace-roles";
import { runnerStorage } from "./runner-storage";

const DEFAULT_TIMEOUT_MS = 300_000;
const DEFAULT_RUNS_LIMIT = 20;

const usage = `Usage: npm run cli -- <command> [options]

Commands:
  flows
      List the workspace's flows, newest change first: each one's id (what the other commands take),
      whether it is active, the number of its live version, how many versions it has, and its name.
  import <file> [--activate] [--dry-run] [--on-conflict rename|replace|skip]
      Import a flow export, a bare flow document (named after the file), a workspace bundle, an n8n export
      (one workflow, an array, or the API's { "data": [...] }) or a Node-RED export (a flow array, or
      { "flows", "rev" }), all in one transaction: nothing is half-imported. A flow that can run is saved
      as its first version; one from another tool (or a tagged export of an unfinished draft) that cannot
      run yet comes in as a draft to finish in the editor. A plain document or untagged export must be
      able to run (a trigger, known node types, no cycles). A bundle brings each flow's draft, tags,
      versions and live version. --activate makes each imported flow's version live and prints the URL path
      of each of its webhooks (/hooks/<workspace slug>/<path>). Credentials are bound by name and type to
      the workspace's own; missing ones are listed. Imports from n8n and Node-RED print the import report.
      --dry-run prints what the import would do (flows created or replaced, conflicts, credentials) and
      writes nothing. A flow that clashes with one of the workspace's (same id, same name, or a webhook
      path in use) needs --on-conflict: rename (a new flow "<name> (2)" with new webhook paths where they
      clash), replace (the existing flow keeps its id and gets the imported draft and a new version) or
      skip. Without it, a flow whose only clash is its name comes in beside the other, and any other
      clash refuses the import.
  export <flowId> [--version <n>] [--out <file>]
      Print the flow's export (its draft, or version <n>) as JSON with sorted keys, or write it to <file>.
      Credentials are referenced by name and type; no secret is ever exported.
  export --workspace <slug> [--versions] [--out <file>]
      Export every flow of the workspace as a bundle (streamware.workspace/1): each flow's draft, tags and
      live version, or with --versions every version. The same workspace always gives the same bytes.
  run <flowId> [--input '<json>'] [--draft] [--timeout <ms>]
      Run the live version (the draft with --draft) with <json> as the trigger's input: one item's
      JSON or a list of them. Waits up to --timeout (default ${DEFAULT_TIMEOUT_MS} ms), prints the result,
      and exits 0 when the run succeeded, 1 otherwise.
  runs <flowId> [--limit <n>] [--status <status>]
      List the flow's most recent runs: --limit of them (default ${DEFAULT_RUNS_LIMIT}, at most 200), only those
      with --status (queued, running, succeeded, failed or cancelled) if given.
  audit verify --workspace <slug> | --instance
      Check the workspace's audit log: each event is chained to the one before it by its hash, so an event
      changed or deleted in the database breaks the chain. Prints the first such event and exits 1, or
      how many events were checked and exits 0. Needs an admin or owner of the workspace. With --instance,
      checks the instance's own log (sign-ins, users, deleted workspaces); needs an instance administrator.
  rotate-key
      Seal every stored secret (credentials, workspaces' OIDC client secrets) with the current
      STREAMWARE_ENCRYPTION_KEY, in one transaction. Rotate by setting the new key as
      STREAMWARE_ENCRYPTION_KEY and the old one in STREAMWARE_PREVIOUS_ENCRYPTION_KEYS, running this, then
      dropping the old key. Prints how many secrets were sealed anew and how many had the current key.
  backup --out <file> [--key-file <file>]
      Write a backup of the whole instance (every table of one consistent snapshot of the database, binary
      storage, and the encryption keys its secrets are sealed with) to <file>, encrypted with the backup key.
      The file is read back and checked before it gets its name. It is a gzipped tar encrypted with age:
      "age -d -o backup.tar.gz <file>" opens it too. Works while the server runs with DATABASE_URL; embedded,
      stop the server first (or set BACKUP_SCHEDULE and let the server write them).
  restore <file> [--key-file <file>] [--replace] [--dry-run]
      Restore a backup into this instance: the file is checked whole first, then the database gets the backup's
      schema, rows and binary files, this version's newer migrations, and every secret sealed with this
      instance's key (embedded, without a STREAMWARE_ENCRYPTION_KEY of its own, it takes the backup's keys).
      An instance that holds anything is refused unless --replace is given: then all it holds is replaced.
      --dry-run checks the file and prints what it holds, writing nothing. Stop the server and workers first.

      The backup key is a passphrase of 16 characters or more (openssl rand -base64 32), or an age identity
      (AGE-SECRET-KEY-1..., from age-keygen): the first line of --key-file, else BACKUP_KEY.

Options for every command:
  --user <email>       Act as this user; their workspace role applies. Default: with --workspace, its
                       first owner; with --instance, the first instance administrator; otherwise the only
                       user, if there is just one.
  --workspace <slug>   List, import into or (export without a flow id) export this workspace (default: the
                       user's first workspace); for the other commands, the workspace the flow must belong to.
  -h, --help           Show this text.

Results go to stdout (JSON, except the flows and runs tables); messages and logs (LOG_LEVEL, default warn) go to
stderr. The CLI reads the server's environment (DATABASE_URL, DATA_DIR, REDIS_URL, ...). Without
DATABASE_URL, stop the server first: the embedded database takes one process at a time.
`;

/** A refusal a person can act on from the message alone; printed without a stack trace. */
class CliError extends Error {
  name = "CliError";
}

const commandNames = ["flows", "import", "export", "run", "runs", "audit", "rotate-key", "backup", "restore"] as const;
/** Commands that act on the whole instance, as whoever holds its keys: no user, no workspace. */
const instanceCommands: readonly CommandName[] = ["rotate-key", "backup", "restore"];
type CommandName = (typeof commandNames)[number];

const optionSpecs = {
  user: { type: "string" },
  workspace: { type: "string" },
  help: { type: "boolean", short: "h" },
  activate: { type: "boolean" },
  out: { type: "string" },
  input: { type: "string" },
  draft: { type: "boolean" },
  timeout: { type: "string" },
  limit: { type: "string" },
  status: { type: "string" },
  instance: { type: "boolean" },
  "dry-run": { type: "boolean" },
  "on-conflict": { type: "string" },
  version: { type: "string" },
  versions: { type: "boolean" },
  "key-file": { type: "string" },
  replace: { type: "boolean" },
} as const;

type OptionName = keyof typeof optionSpecs;

const commandOptions: Record<CommandName, OptionName[]> = {
  flows: [],
  import: ["activate", "dry-run", "on-conflict"],
  export: ["out", "version", "versions"],
  run: ["input", "draft", "timeout"],
  runs: ["limit", "status"],
  audit: ["instance"],
  "rotate-key": [],
  backup: ["out", "key-file"],
  restore: ["key-file", "replace", "dry-run"],
};

const jsonText = z.string().transform((text, ctx): unknown => {
  try {
    return JSON.parse(text);
  } catch (err) {
    ctx.addIssue({
      code: "custom",
      message: `not valid JSON (${(err as Error).message}); pass one item's JSON such as '{"n":2}', or a list of them`,
    });
    return z.NEVER;
  }
});

const identity = { user: z.string().trim().min(1).optional(), workspace: z.string().trim().min(1).optional() };
const flowId = z.string().min(1).max(64);

const cliArgs = z.discriminatedUnion("command", [
  z.object({ command: z.literal("flows"), ...identity }),
  z.object({
    command: z.literal("import"),
    file: z.string().min(1),
    activate: z.boolean().default(false),
    "dry-run": z.boolean().default(false),
    "on-conflict": z.enum(["rename", "replace", "skip"], { error: "must be rename, replace or skip" }).optional(),
    ...identity,
  }),
  z
    .object({
      command: z.literal("export"),
      flowId: flowId.optional(),
      out: z.string().min(1).optional(),
      version: z.coerce.number().int().min(1).optional(),
      versions: z.boolean().default(false),
      ...identity,
    })
    .refine((args) => args.flowId !== undefined || args.workspace !== undefined, {
      path: ["workspace"],
      message: "export needs a flow id (npm run cli -- export <flowId>), or --workspace <slug> to export the whole workspace",
    })
    .refine((args) => args.flowId !== undefined || args.version === undefined, { path: ["version"], message: "a version belongs to one flow: npm run cli -- export <flowId> --version <n>" })
    .refine((args) => args.flowId === undefined || !args.versions, { path: ["versions"], message: "--versions is for a workspace export; for one flow, name the version: --version <n>" }),
  z.object({
    command: z.literal("run"),
    flowId,
    input: jsonText.optional(),
    draft: z.boolean().default(false),
    timeout: z.coerce.number().int().min(1).default(DEFAULT_TIMEOUT_MS),
    ...identity,
  }),
  z.object({
    command: z.literal("runs"),
    flowId,
    limit: z.coerce.number().int().min(1).max(200).default(DEFAULT_RUNS_LIMIT),
    status: listRunsInput.shape.status,
    ...identity,
  }),
  z
    .object({
      command: z.literal("audit"),
      action: z.literal("verify", { error: 'the audit command has one action, "verify": npm run cli -- audit verify --workspace <slug>' }),
      user: identity.user,
      workspace: z.string().trim().min(1).optional(),
      instance: z.boolean().default(false),
    })
    .refine((args) => args.instance !== Boolean(args.workspace), {
      path: ["workspace"],
      message: "name the workspace whose audit log to check: --workspace <slug>, or check the instance's own with --instance (not both)",
    }),
  z.object({ command: z.literal("rotate-key") }),
  z.object({ command: z.literal("backup"), out: z.string({ error: "backup needs the file to write: npm run cli -- backup --out <file>" }).min(1), "key-file": z.string().min(1).optional() }),
  z.object({
    command: z.literal("restore"),
    file: z.string().min(1),
    "key-file": z.string().min(1).optional(),
    replace: z.boolean().default(false),
    "dry-run": z.boolean().default(false),
  }),
]);

type CliArgs = z.infer<typeof cliArgs>;
type Args<C extends CommandName> = Extract<CliArgs, { command: C }>;
/** The command line after the checks that need no database: an import carries its file's text, checked. */
type Prepared = Exclude<CliArgs, { command: "import" }> | (Args<"import"> & { text: string; checked: Extract<ImportFile, { ok: true }> });

/** What each command takes after its name. */
const operands: Record<CommandName, "file" | "flowId" | "action" | null> = {
  flows: null,
  import: "file",
  export: "flowId",
  run: "flowId",
  runs: "flowId",
  audit: "action",
  "rotate-key": null,
  backup: null,
  restore: "file",
};

function isCommand(name: string | undefined): name is CommandName {
  return commandNames.includes(name as CommandName);
}

function readArgv(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: optionSpecs, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nRun "npm run cli -- --help" for the commands and their options.`);
  }
}

/** The command line as one typed value; every mistake in it is refused before anything is opened. */
function parseCommandLine(argv: string[]): CliArgs | "help" {
  const { values, positionals } = readArgv(argv);
  if (values.help) return "help";
  const [command, target, ...extra] = positionals;
  if (!isCommand(command)) {
    throw new CliError(`${command === undefined ? "Name a command." : `Unknown command "${command}".`}\n\n${usage}`);
  }
  const operand = operands[command];
  if (operand === null) {
    if (positionals.length > 1) throw new CliError(`${command} takes no operand; unexpected: ${positionals.slice(1).join(" ")}`);
  } else {
    // A workspace export names its workspace with --workspace instead of a flow.
    if (target === undefined && !(command === "export" && values.workspace !== undefined)) throw new CliError(`${command} needs ${/^[aeiou]/.test(operand) ? "an" : "a"} ${operand}: npm run cli -- ${command} <${operand}>`);
    if (extra.length) throw new CliError(`${command} takes one ${operand}; unexpected: ${extra.join(" ")}`);
  }
  const allowed = new Set<string>([...(instanceCommands.includes(command) ? [] : ["user", "workspace"]), ...commandOptions[command]]);
  const misplaced = Object.keys(values).filter((name) => !allowed.has(name));
  if (misplaced.length) {
    throw new CliError(`${misplaced.map((name) => `--${name}`).join(", ")} is not an option of "${command}"; see "npm run cli -- --help".`);
  }
  const result = cliArgs.safeParse({ ...values, command, ...(operand ? { [operand]: target } : {}) });
  if (!result.success) {
    throw new CliError(result.error.issues.map((issue) => `--${issue.path.join(".")}: ${issue.message}`).join("\n"));
  }
  return result.data;
}

/** Reads an import file and checks it before anything is created; see `readImportFile`. */
async function readImport({ file, activate }: { file: string; activate: boolean }): Promise<{ text: string; checked: Extract<ImportFile, { ok: true }> }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  const checked = readImportFile({ text, fileName: file, activate });
  if (!checked.ok) throw new CliError(checked.message);
  return { text, checked };
}

interface Actor {
  id: string;
  email: string;
}

/** Who the CLI acts as: --user, else the workspace's first owner, else the only user there is. */
async function resolveActor({ db, email, workspaceSlug, instanceAdmin }: { db: Db; email?: string; workspaceSlug?: string; instanceAdmin: boolean }): Promise<Actor> {
  const actor = await userService.actorFor({ db, email, workspaceSlug, instanceAdmin });
  if ("reason" in actor) throw new CliError(actor.reason);
  return actor;
}

/** The workspace to list or import into: --workspace, else the actor's first one. */
async function chosenWorkspace({ db, actor, slug }: { db: Db; actor: Actor; slug?: string }): Promise<WorkspaceSummary> {
  if (slug) return workspaceService.getBySlug({ db, userId: actor.id, slug });
  const [first] = await workspaceService.listForUser({ db, userId: actor.id });
  if (!first) throw new CliError(`${actor.email} belongs to no workspace; pass --workspace <slug> of one they are a member of.`);
  return first;
}

/** The flow's workspace, when the actor belongs to it; any other flow is simply not found. */
async function flowWorkspace({ db, actor, flowId, slug }: { db: Db; actor: Actor; flowId: string; slug?: string }): Promise<WorkspaceSummary> {
  const workspaceId = await flowService.workspaceOf({ db, flowId });
  const workspaces = workspaceId ? await workspaceService.listForUser({ db, userId: actor.id }) : [];
  const workspace = workspaces.find((w) => w.id === workspaceId);
  if (!workspace) throw new CliError(`Flow "${flowId}" not found in the workspaces of ${actor.email}.`);
  if (slug && workspace.slug !== slug) throw new CliError(`Flow "${flowId}" not found in workspace "${slug}".`);
  return workspace;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (err) => (err ? reject(err) : resolve())));
}

interface Session {
  db: Db;
  actor: Actor;
  logger: Logger;
  runtime: () => Promise<Runtime>;
}

async function importFlow({ db, actor, runtime }: Session, args: Extract<Prepared, { command: "import" }>): Promise<number> {
  const workspace = await chosenWorkspace({ db, actor, slug: args.workspace });
  const scope = { db, userId: actor.id, workspaceId: workspace.id };
  const { report } = args.checked;
  const reportText = report ? `${formatImportReport(report)}\n\n` : "";
  if (args["dry-run"]) {
    const preview = await transferService.preview({ ...scope, text: args.text, fileName: args.file });
    await write(process.stdout, `${reportText}${json(preview)}`);
    return 0;
  }
  const onConflict = args["on-conflict"];
  const applied = await transferService.apply({ ...scope, text: args.text, fileName: path.basename(args.file), resolutions: {}, onConflict, activate: args.activate, sameName: onConflict ? "resolve" : "keep" });
  if (applied.triggersChanged.length) {
    const started = await runtime();
    for (const flowId of applied.triggersChanged) await started.triggersChanged(flowId);
  }
  const draftOnly = new Map(args.checked.flows.map((flow) => [flow.key, flow.draftOnly]));
  const described = applied.flows.map(({ key, flowId, name, action }) => {
    const hooks = applied.webhooks[key];
    const reason = draftOnly.get(key);
    return {
      flowId,
      name,
      workspace: workspace.slug,
      ...(action === "created" ? {} : { action }),
      version: applied.versions[key] ?? null,
      active: hooks !== undefined,
      ...(hooks ? { webhooks: hooks.map((hook) => ({ path: webhookUrlPath({ workspaceSlug: workspace.slug, path: hook.path }), methods: hook.methods })) } : {}),
      ...(reason ? { draftOnly: `saved as a draft to finish in the editor: ${reason}` } : {}),
    };
  });
  if (applied.credentialsMissing.length) {
    await write(process.stderr, `Credentials to create in ${workspace.slug} (by name and type): ${applied.credentialsMissing.map((c) => `"${c.name}" (${c.type})`).join(", ")}\n`);
  }
  await write(process.stdout, `${reportText}${json(args.checked.format === "streamware" ? described[0] : described)}`);
  return 0;
}

async function exportFlow({ db, actor }: Session, args: Args<"export">): Promise<number> {
  const exported = args.flowId
    ? await (async (flowId: string) => {
        const workspace = await flowWorkspace({ db, actor, flowId, slug: args.workspace });
        return transferService.exportFlow({ db, userId: actor.id, workspaceId: workspace.id, flowId, version: args.version });
      })(args.flowId)
    : await (async () => {
        const workspace = await chosenWorkspace({ db, actor, slug: args.workspace });
        return transferService.exportWorkspace({ db, userId: actor.id, workspaceId: workspace.id, includeVersions: args.versions });
      })();
  if (!args.out) {
    await write(process.stdout, exported.text);
    return 0;
  }
  await writeFile(args.out, exported.text);
  await write(process.stderr, `Wrote ${args.out}\n`);
  return 0;
}

/** Ctrl-C during a run in this process cancels the run (it then ends as cancelled); a second Ctrl-C quits at once. */
function cancelOnInterrupt({ runtime, runId }: { runtime: Runtime; runId: string }): () => void {
  let interrupted = false;
  const onSignal = () => {
    if (interrupted || runtime.mode === "queue") process.exit(130);
    interrupted = true;
    void write(process.stderr, `Cancelling run ${runId}; press Ctrl-C again to quit at once.\n`);
    runtime.cancel(runId).catch((err: unknown) => void write(process.stderr, `Could not cancel run ${runId}: ${(err as Error).message}\n`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

async function runFlow({ db, actor, runtime: startRuntime }: Session, args: Args<"run">): Promise<number> {
  const workspace = await flowWorkspace({ db, actor, flowId: args.flowId, slug: args.workspace });
  const scope = { db, userId: actor.id, workspaceId: workspace.id };
  const spec = await runService.prepareManual({ ...scope, flowId: args.flowId, input: args.input, source: args.draft ? "draft" : "active" });
  const runtime = await startRuntime();
  const runId = await runtime.enqueue(spec);
  const release = cancelOnInterrupt({ runtime, runId });
  let finished: Awaited<ReturnType<Runtime["waitForRun"]>>;
  try {
    finished = await runtime.waitForRun(runId, args.timeout);
  } catch {
    if (runtime.mode === "embedded") {
      await runtime.cancel(runId);
      throw new CliError(`Run ${runId} did not finish within ${args.timeout} ms and was cancelled; pass a longer --timeout.`);
    }
    throw new CliError(`Run ${runId} did not finish within ${args.timeout} ms; it goes on in the workers (see "npm run cli -- runs ${args.flowId}").`);
  } finally {
    release();
  }

  let run;
  try {
    run = await runService.get({ ...scope, runId });
  } catch (err) {
    if (!(err instanceof ServiceError && err.code === "NOT_FOUND")) throw err;
    // The flow's "keep runs" setting dropped the record; the end event still says how it went.
    await write(process.stderr, "The flow's settings keep no record of this run, so its output and steps are not shown.\n");
    await write(process.stdout, json({ runId, status: finished.status, output: null, error: finished.error, steps: [] }));
    return finished.status === "succeeded" ? 0 : 1;
  }
  const stored = run.output as StoredPorts | null;
  const result = {
    runId,
    status: run.status,
    version: run.versionNumber,
    output: (stored?.items.out ?? []).map((item) => item.json),
    ...(stored?.truncated ? { outputTruncated: stored.truncated } : {}),
    error: run.error,
    steps: run.steps.map((step) => ({
      node: step.nodeName,
      type: step.nodeType,
      status: step.status,
      durationMs: step.durationMs,
      ...(step.error ? { error: step.error } : {}),
    })),
  };
  await write(process.stdout, json(result));
  return run.status === "succeeded" ? 0 : 1;
}

function formatStarted(run: RunSummary): string {
  return run.startedAt ? run.startedAt.toISOString().slice(0, 19).replace("T", " ") : "-";
}

function formatDuration(ms: number | null): string {
  if (ms === null) return "-";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n") + "\n";
}

async function listFlows({ db, actor }: Session, args: Args<"flows">): Promise<number> {
  const workspace = await chosenWorkspace({ db, actor, slug: args.workspace });
  const flows = await flowService.list({ db, userId: actor.id, workspaceId: workspace.id });
  if (flows.length === 0) {
    await write(process.stdout, `No flows in workspace ${workspace.slug} yet.\n`);
    return 0;
  }
  const header = ["ID", "STATUS", "LIVE VERSION", "VERSIONS", "NAME"];
  const rows = flows.map((flow) => [flow.id, flow.active ? "active" : "inactive", flow.liveVersionNumber === null ? "-" : String(flow.liveVersionNumber), String(flow.versionCount), flow.name]);
  await write(process.stdout, table([header, ...rows]));
  return 0;
}

async function listRuns({ db, actor }: Session, args: Args<"runs">): Promise<number> {
  const workspace = await flowWorkspace({ db, actor, flowId: args.flowId, slug: args.workspace });
  const { runs, nextCursor } = await runService.list({ db, userId: actor.id, workspaceId: workspace.id, flowId: args.flowId, status: args.status, limit: args.limit });
  if (runs.length === 0) {
    await write(process.stdout, args.status ? `No ${args.status} runs of this flow.\n` : "No runs of this flow yet.\n");
    return 0;
  }
  const header = ["ID", "STATUS", "TRIGGER", "STARTED (UTC)", "DURATION"];
  await write(process.stdout, table([header, ...runs.map((run) => [run.id, run.status, run.trigger, formatStarted(run), formatDuration(run.durationMs)])]));
  if (nextCursor) await write(process.stderr, `Showing the newest ${runs.length}; pass --limit for more.\n`);
  return 0;
}

async function verifyAudit({ db, actor }: Session, args: Args<"audit">): Promise<number> {
  let workspaceId: string | null = null;
  let what = "the instance";
  if (args.workspace) {
    const workspace = await workspaceService.getBySlug({ db, userId: actor.id, slug: args.workspace });
    await workspaceService.requireRole({ db, userId: actor.id, workspaceId: workspace.id, permission: "audit.read" });
    workspaceId = workspace.id;
    what = workspace.slug;
  } else {
    await instanceAdminService.requireInstanceAdmin({ db, userId: actor.id });
  }
  const verdict = await verifyAuditChain(auditService.chainEvents({ db, workspaceId }), await auditService.chainHead({ db, workspaceId }));
  if (verdict.ok) {
    await write(process.stdout, `The audit log of ${what} is intact: ${verdict.events} event${verdict.events === 1 ? "" : "s"} checked.\n`);
    return 0;
  }
  const id = verdict.eventId ? ` (id ${verdict.eventId})` : "";
  await write(process.stdout, `The audit log of ${what} was tampered with: ${verdict.message}${id}.\n`);
  return 1;
}

type InstanceCommand = "rotate-key" | "backup" | "restore";

function dispatch(session: Session, args: Exclude<Prepared, { command: InstanceCommand }>): Promise<number> {
  switch (args.command) {
    case "flows":
      return listFlows(session, args);
    case "import":
      return importFlow(session, args);
    case "export":
      return exportFlow(session, args);
    case "run":
      return runFlow(session, args);
    case "runs":
      return listRuns(session, args);
    case "audit":
      return verifyAudit(session, args);
  }
}

async function rotateKey(db: DbConnection["db"]): Promise<number> {
  const { rotated, current } = await keyRotationService.rotate({ db, box: secretBox() });
  await write(
    process.stdout,
    `Sealed with the current key: ${rotated.credentials} credentials and ${rotated.ssoSecrets} SSO client secrets anew; ` +
      `${current.credentials} credentials and ${current.ssoSecrets} SSO client secrets had it already.\n`,
  );
  return 0;
}

/** The backup key: the first line of --key-file, else BACKUP_KEY. */
async function backupKey(keyFile: string | undefined): Promise<BackupKey> {
  if (keyFile) {
    const text = await readFile(keyFile, "utf8").catch((err: Error) => {
      throw new CliError(`Cannot read the key file ${keyFile}: ${err.message}`);
    });
    return parseBackupKey(text.split("\n").find((line) => line.trim() && !line.startsWith("#")) ?? "", `The key file ${keyFile}`);
  }
  const fromEnv = env().BACKUP_KEY;
  if (!fromEnv) throw new CliError("Give the backup key: set BACKUP_KEY, or pass --key-file <file> holding a passphrase (16 characters or more) or an age identity.");
  return parseBackupKey(fromEnv, "BACKUP_KEY");
}

const formatBytes = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} kB`);

function describeBackup({ header, manifest }: BackupSummary): string {
  const tables = Object.entries(manifest.tables).filter(([, c]) => c.rows > 0);
  const rows = tables.reduce((sum, [, c]) => sum + c.rows, 0);
  const main = ["Workspace", "Flow", "FlowVersion", "Credential", "Run", "AuditEvent"].map((t) => `${manifest.tables[t]?.rows ?? 0} ${t}`).join(", ");
  return (
    `made ${header.createdAt} from ${header.database === "postgresql" ? "PostgreSQL" : "the embedded database"} at migration ${header.migrations.at(-1)}; ` +
    `${rows} rows in ${tables.length} tables (${main}); ${manifest.binary.files} binary files (${formatBytes(manifest.binary.bytes)})`
  );
}

async function writeBackup(connection: DbConnection, args: Args<"backup">): Promise<number> {
  const config = env();
  const key = await backupKey(args["key-file"]);
  const summary = await backupService.write({ connection, file: args.out, key, binaryDir: binaryDirOf(config), keys: instanceKeys(config) });
  const { size } = await stat(args.out);
  await write(process.stdout, `Wrote and checked ${args.out} (${formatBytes(size)}): ${describeBackup(summary)}.\n`);
  return 0;
}

/**
 * Restores a backup. Embedded, without a key of its own in the environment, the instance takes the backup's keys
 * into its data folder, so what was signed and sealed before (share links, secrets) stays valid.
 */
async function restoreBackup(connection: DbConnection, args: Args<"restore">, ownKey: boolean): Promise<number> {
  const config = env();
  const key = await backupKey(args["key-file"]);
  if (args["dry-run"]) {
    const summary = await backupService.verify({ file: args.file, key });
    await write(process.stdout, `${args.file} is whole and opens with this key: ${describeBackup(summary)}. Nothing was written.\n`);
    return 0;
  }
  const report = await backupService.restore({
    connection,
    file: args.file,
    key,
    binaryDir: binaryDirOf(config),
    replace: args.replace,
    async keyFor(backup) {
      if (config.DATABASE_URL || ownKey) return { currentKey: config.STREAMWARE_ENCRYPTION_KEY!, previousKeys: config.STREAMWARE_PREVIOUS_ENCRYPTION_KEYS };
      await storeSecrets({ dataDir: config.DATA_DIR, secrets: { STREAMWARE_ENCRYPTION_KEY: backup.encryptionKeys[0]!, NEXTAUTH_SECRET: backup.sessionSecret ?? config.NEXTAUTH_SECRET! } });
      return { currentKey: backup.encryptionKeys[0]!, previousKeys: [] };
    },
  });
  const notes = [
    report.upgradedWith.length ? `applied ${report.upgradedWith.length} newer migrations` : "",
    report.resealed ? `sealed ${report.resealed} secrets with this instance's key` : "",
  ].filter(Boolean);
  await write(process.stdout, `Restored ${args.file}: ${describeBackup(report)}${notes.length ? `; ${notes.join("; ")}` : ""}.\n`);
  return 0;
}

async function openDatabase(): Promise<DbConnection> {
  const connection = await getConnection("cli");
  try {
    await migrateDatabase(connection, env());
  } catch (err) {
    await connection.close();
    throw err;
  }
  return connection;
}

async function main(argv: string[]): Promise<number> {
  const args = parseCommandLine(argv);
  if (args === "help") {
    await write(process.stdout, usage);
    return 0;
  }
  // Checked before the database is opened, so a bad file costs nothing and creates nothing.
  const prepared: Prepared = args.command === "import" ? { ...args, ...(await readImport(args)) } : args;

  // Whether the environment gives the key, before an embedded instance's own is read from its data folder.
  const ownKey = Boolean(process.env.STREAMWARE_ENCRYPTION_KEY);
  await ensureSecrets({ env: process.env, dataDir: process.env.DATA_DIR ?? ".data" });
  const config = env();
  // A backup reads the database as it is, and a restore replaces it: neither migrates it first.
  if (prepared.command === "backup" || prepared.command === "restore") {
    const connection = await getConnection("cli");
    try {
      return prepared.command === "backup" ? await writeBackup(connection, prepared) : await restoreBackup(connection, prepared, ownKey);
    } finally {
      await connection.close();
    }
  }
  // stdout carries the results, so logs go to stderr and stay quiet unless LOG_LEVEL asks for more.
  const logger = pino({ level: process.env.LOG_LEVEL ? config.LOG_LEVEL : "warn", base: { service: "streamware-cli" } }, pino.destination({ dest: 2, sync: true }));
  const connection = await openDatabase();
  if (prepared.command === "rotate-key") {
    try {
      return await rotateKey(connection.db);
    } finally {
      await connection.close();
    }
  }
  let runtime: Runtime | undefined;
  try {
    const session: Session = {
      db: connection.db,
      logger,
      actor: await resolveActor({ db: connection.db, email: prepared.user, workspaceSlug: prepared.workspace, instanceAdmin: prepared.command === "audit" && prepared.instance }),
      runtime: async () => {
        if (!runtime) {
          runtime = await Runtime.create({ storage: runnerStorage({ db: connection.db }), config, role: "cli", logger });
          handOverRuntime(runtime);
          await runtime.start();
        }
        return runtime;
      },
    };
    return await dispatch(session, prepared);
  } finally {
    await runtime?.close();
    await connection.close();
  }
}

function report(err: unknown): string {
  if (err instanceof CliError || err instanceof ConfigError || err instanceof BackupError) return err.message;
  if (err instanceof ServiceError) {
    const issues = issuesOf(err);
    // The message ends with the issues on one line; a person reads them better one per line.
    return issues?.length ? `${err.message.replace(`: ${describeIssues(issues)}`, ":")}\n${issueList(issues)}` : err.message;
  }
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (err: unknown) => {
    await write(process.stderr, `${report(err)}\n`);
    process.exit(1);
  },
);
