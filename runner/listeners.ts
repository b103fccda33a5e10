import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { HttpClient } from "../nodes/_kit/context";
import { migrateConfig, parseNodeConfig, type Listener, type NodeDefinition } from "../nodes/_kit/define-node";
import { NodeConfigError } from "../nodes/_kit/errors";
import type { FlowNode } from "../nodes/_core/flow-document";
import type { ActiveFlow, ActiveFlows, FlowStates, RunCredentials } from "./ports";
import type { RunSpec } from "../nodes/_core/run-types";

export const LISTENER_LOCK_PREFIX = "streamware:listener:";
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;
// Activation reaches every process at once over pub/sub; this only catches a message a process missed.
const RELOAD_MS = 30_000;

/** A long-lived trigger node of an active flow that some process must listen for. */
interface Wanted {
  key: string;
  flow: ActiveFlow;
  node: FlowNode;
  definition: NodeDefinition;
}

interface Slot {
  wanted: Wanted;
  controller: AbortController;
  listener: Promise<Listener | null>;
  listening: boolean;
}

export interface ListenerStatus {
  flowId: string;
  nodeId: string;
  state: "starting" | "listening" | "failed";
  /** Why the last start failed, with what to fix; it is retried with backoff. */
  error?: string;
}

export interface ListenerManagerDeps {
  flows: ActiveFlows;
  credentials: RunCredentials;
  flowState: FlowStates;
  /** Queue mode: each listener is held by one process at a time through a lock in Redis. Null: this process holds all. */
  redis: Redis | null;
  owner: string;
  registry: ReadonlyMap<string, NodeDefinition>;
  http: HttpClient;
  logger: Logger;
  enqueue(spec: RunSpec): Promise<string>;
  /** How long a lock outlives its holder's last renewal: the bound on a takeover after a process dies. */
  lockMs: number;
}

/**
 * Starts and stops the long-lived triggers (`trigger.listen`) of active flows. Embedded, this process listens for
 * every one. In queue mode each is guarded by a Redis lock that its holder renews every third of `lockMs`; the
 * other processes try to take free locks as often, so a stopped holder is replaced within a third of `lockMs`
 * (it releases its locks) and a dead one within `lockMs` and a third.
 */
export class ListenerManager {
  private wanted = new Map<string, Wanted>();
  private readonly slots = new Map<string, Slot>();
  private readonly failures = new Map<string, { count: number; retryAt: number; error: string }>();
  private readonly timers: NodeJS.Timeout[] = [];
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: ListenerManagerDeps) {}

  async start(): Promise<void> {
    await this.sync();
    const every = (ms: number, task: () => Promise<void>) => {
      const timer = setInterval(() => void task(), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(Math.max(50, Math.floor(this.deps.lockMs / 3)), () => this.serial(() => this.tick()));
    every(RELOAD_MS, () => this.sync());
  }

  /** Reloads which listeners the active flows want (all, or one flow's after it changed) and starts or stops them. */
  async sync(flowId?: string): Promise<void> {
    const flows = await this.deps.flows.activeFlows({ flowId });
    const found = new Map<string, Wanted>();
    for (const flow of flows) {
      for (const node of flow.document.nodes) {
        const definition = this.deps.registry.get(node.type);
        if (!definition?.trigger?.listen || node.disabled) continue;
        const key = `${flow.flowId}:${node.id}`;
        found.set(key, { key, flow, node, definition });
      }
    }
    await this.serial(async () => {
      if (flowId) {
        for (const [key, wanted] of this.wanted) if (wanted.flow.flowId !== flowId) found.set(key, wanted);
      }
      this.wanted = found;
      for (const key of this.failures.keys()) if (!found.has(key)) this.failures.delete(key);
      await this.reconcile();
    });
  }

  /** What this process listens for, and what failed to start here. */
  status(): ListenerStatus[] {
    const out: ListenerStatus[] = [];
    for (const slot of this.slots.values()) {
      out.push({ flowId: slot.wanted.flow.flowId, nodeId: slot.wanted.node.id, state: slot.listening ? "listening" : "starting" });
    }
    for (const [key, failure] of this.failures) {
      if (this.slots.has(key)) continue;
      const wanted = this.wanted.get(key);
      if (wanted) out.push({ flowId: wanted.flow.flowId, nodeId: wanted.node.id, state: "failed", error: failure.error });
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.serial(async () => {
      await Promise.all([...this.slots.values()].map((slot) => this.stop(slot, true)));
    });
  }

  /** Runs state changes one at a time: timers, activations and failed starts all touch the same maps. */
  private serial(task: () => Promise<void>): Promise<void> {
    const next = this.chain.then(task).catch((err: unknown) => this.deps.logger.error({ err }, "listener bookkeeping failed"));
    this.chain = next;
    return next;
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    const redis = this.deps.redis;
    if (redis && this.slots.size > 0) {
      const slots = [...this.slots.values()];
      const pipeline = redis.pipeline();
      for (const slot of slots) pipeline.eval(RENEW, 1, LISTENER_LOCK_PREFIX + slot.wanted.key, this.deps.owner, this.deps.lockMs);
      const results = (await pipeline.exec()) ?? [];
      for (const [i, slot] of slots.entries()) {
        const [err, renewed] = results[i] ?? [null, 0];
        if (err || renewed !== 1) {
          this.deps.logger.warn({ flowId: slot.wanted.flow.flowId, nodeId: slot.wanted.node.id }, "lost a listener's lock; another process takes it over");
          await this.stop(slot, false);
        }
      }
    }
    await this.reconcile();
  }

  private async reconcile(): Promise<void> {
    if (this.closed) return;
    for (const slot of [...this.slots.values()]) {
      const wanted = this.wanted.get(slot.wanted.key);
      if (!wanted) await this.stop(slot, true);
      else if (wanted.flow.versionId !== slot.wanted.flow.versionId) {
        // A new version of the flow: restart with its config, keeping the lock.
        await this.stop(slot, false);
        this.launch(wanted);
      }
    }
    const now = Date.now();
    for (const wanted of this.wanted.values()) {
      if (this.slots.has(wanted.key) || (this.failures.get(wanted.key)?.retryAt ?? 0) > now) continue;
      if (this.deps.redis) {
        const taken = await this.deps.redis.set(LISTENER_LOCK_PREFIX + wanted.key, this.deps.owner, "PX", this.deps.lockMs, "NX");
        if (taken !== "OK") continue;
      }
      this.launch(wanted);
    }
  }

  private launch(wanted: Wanted): void {
    const controller = new AbortController();
    const slot: Slot = { wanted, controller, listener: Promise.resolve(null), listening: false };
    const where = { flowId: wanted.flow.flowId, nodeId: wanted.node.id };
    slot.listener = this.listen(wanted, controller.signal).then(
      (listener) => {
        if (controller.signal.aborted) {
          void listener.close().catch((err: unknown) => this.deps.logger.error({ err, ...where }, "a listener failed to close"));
          return null;
        }
        slot.listening = true;
        this.failures.delete(wanted.key);
        this.deps.logger.info(where, "listening");
        return listener;
      },
      (err: unknown) => {
        if (controller.signal.aborted) return null;
        const count = (this.failures.get(wanted.key)?.count ?? 0) + 1;
        const error = err instanceof Error ? err.message : String(err);
        const retryMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (count - 1));
        this.failures.set(wanted.key, { count, retryAt: Date.now() + retryMs, error });
        this.deps.logger.error({ ...where, err, retryMs }, "a trigger could not start listening");
        void this.serial(async () => {
          if (this.slots.get(wanted.key) === slot) await this.stop(slot, true);
        });
        return null;
      },
    );
    this.slots.set(wanted.key, slot);
  }

  private async listen(wanted: Wanted, signal: AbortSignal): Promise<Listener> {
    const { flow, node, definition } = wanted;
    const config = parseNodeConfig(definition, node.name, migrateConfig(definition, node.config, node.typeVersion));
    const credentials = await this.credentialsFor(wanted);
    const kind = definition.trigger!.kind;
    return definition.trigger!.listen!({
      config,
      credentials,
      signal,
      logger: this.deps.logger.child({ flowId: flow.flowId, nodeId: node.id, listener: node.type }),
      kv: this.deps.flowState.of({ workspaceId: flow.workspaceId, flowId: flow.flowId }),
      http: this.deps.http,
      flow: { id: flow.flowId, workspaceId: flow.workspaceId },
      node: { id: node.id, name: node.name },
      emit: async (items) => {
        if (signal.aborted) throw new Error(`The ${node.name} listener is stopped; its items were not run`);
        await this.deps.enqueue({
          workspaceId: flow.workspaceId,
          flowId: flow.flowId,
          flowVersionId: flow.versionId,
          document: flow.document,
          trigger: kind,
          startNodeId: node.id,
          triggerItems: items,
        });
      },
    });
  }

  private async credentialsFor({ flow, node, definition }: Wanted): Promise<Record<string, string> | null> {
    const type = definition.credential?.type;
    if (!type) return null;
    const ref = node.credentials[type] ?? Object.values(node.credentials)[0];
    if (!ref) {
      if (definition.credential!.required) throw new NodeConfigError(`Node "${node.name}" needs a ${type} credential; pick one in its settings`);
      return null;
    }
    try {
      return await this.deps.credentials.open({ workspaceId: flow.workspaceId, ref, type });
    } catch (err) {
      throw new NodeConfigError(`Node "${node.name}": ${(err as Error).message}`, { cause: err });
    }
  }

  /** Closes a listener (waiting for it to finish starting); with `release`, frees its lock for another process. */
  private async stop(slot: Slot, release: boolean): Promise<void> {
    if (this.slots.get(slot.wanted.key) === slot) this.slots.delete(slot.wanted.key);
    slot.controller.abort();
    const listener = await slot.listener;
    await listener?.close().catch((err: unknown) => this.deps.logger.error({ err, flowId: slot.wanted.flow.flowId, nodeId: slot.wanted.node.id }, "a listener failed to close"));
    if (release && this.deps.redis) await this.deps.redis.eval(RELEASE, 1, LISTENER_LOCK_PREFIX + slot.wanted.key, this.deps.owner);
  }
}
