"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import type { FlowNode } from "@/nodes/_core/flow-document";
import { webhookTestUrlPath, webhookUrlPath } from "@/nodes/_core/webhook-url";
import { useWorkspace } from "../../../workspace-context";

/** The webhook node's type, whose panel shows its URLs and listens for test calls. */
export const WEBHOOK_NODE_TYPE = "core.webhook";

const small = "rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800";

function CopyField({ label, value, hint }: { label: string; value: string; hint: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(value);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div className="space-y-0.5">
      <div className="flex items-center gap-2">
        <span className="text-xs font-medium text-slate-600 dark:text-slate-300">{label}</span>
        <button type="button" onClick={() => void copy().catch(() => undefined)} className={`${small} ml-auto`} aria-label={`Copy ${label.toLowerCase()}`}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <code aria-label={label} className="block select-all break-all rounded bg-slate-100 px-1.5 py-1 font-mono text-xs dark:bg-slate-800">
        {value}
      </code>
      <p className="text-xs text-slate-500 dark:text-slate-400">{hint}</p>
    </div>
  );
}

const secondsLeft = (until: number, now: number) => Math.max(0, Math.ceil((until - now) / 1000));
const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;

/**
 * The webhook's whole URLs, built from the address in use, ready to copy; and "Listen for test event": the next
 * call to the test URL runs the draft, and the editor follows that run on the canvas.
 */
export function WebhookTestSection({
  workspaceId,
  flowId,
  node,
  canRun,
  flushDraft,
  onRun,
}: {
  workspaceId: string;
  flowId: string;
  node: FlowNode;
  canRun: boolean;
  flushDraft?: () => Promise<boolean>;
  onRun(runId: string): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  // The address the person is using: what they can reach, and what they would paste elsewhere.
  const origin = useHydrated() ? window.location.origin : "";
  const [until, setUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [outcome, setOutcome] = useState<"called" | "expired" | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const listening = until !== null;
  const ref = { workspaceId, flowId };
  const listen = useMutation(trpc.webhookTest.listen.mutationOptions());
  const stop = useMutation(trpc.webhookTest.stop.mutationOptions());

  // While listening: the clock ticks, and the server is asked each second whether a call came.
  useEffect(() => {
    if (until === null) return;
    let stopped = false;
    const timer = setInterval(() => {
      const at = Date.now();
      setNow(at);
      if (at >= until) {
        setUntil(null);
        setOutcome("expired");
        return;
      }
      void queryClient
        .fetchQuery({ ...trpc.webhookTest.state.queryOptions({ workspaceId, flowId }), staleTime: 0 })
        .then((state) => {
          if (stopped || !state.runId) return;
          setUntil(null);
          setOutcome("called");
          onRun(state.runId);
        })
        .catch(() => undefined);
    }, 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [until, queryClient, trpc, workspaceId, flowId, onRun]);

  const config = node.config as { path?: unknown; methods?: unknown };
  const path = typeof config.path === "string" ? config.path.trim() : "";
  const method = Array.isArray(config.methods) && typeof config.methods[0] === "string" ? config.methods[0] : "POST";
  const testUrl = `${origin}${webhookTestUrlPath({ workspaceSlug: workspace.slug, path })}`;
  const url = `${origin}${webhookUrlPath({ workspaceSlug: workspace.slug, path })}`;

  const start = async () => {
    setProblem(null);
    setOutcome(null);
    if (flushDraft && !(await flushDraft())) return setProblem("The draft could not be saved, so the editor cannot listen for it yet.");
    try {
      const answer = await listen.mutateAsync(ref);
      setNow(Date.now());
      setUntil(Date.now() + Math.max(0, answer.expiresAt.getTime() - Date.now()));
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  };
  const cancel = () => {
    setUntil(null);
    stop.mutate(ref);
  };

  return (
    <section aria-label="Webhook URLs" className="space-y-3 border-b border-slate-200 px-3 py-3 dark:border-slate-800">
      {path ? (
        <>
          <CopyField label="Test URL" value={testUrl} hint="Runs the draft, once, while the editor listens for a test event." />
          <CopyField label="Production URL" value={url} hint="Runs the active version while the flow is active." />
        </>
      ) : (
        <p className="text-xs text-slate-500 dark:text-slate-400">Give the webhook a path to get its URLs.</p>
      )}
      {canRun && path && (
        <div className="space-y-2">
          {listening ? (
            <div className="flex items-center gap-2">
              <p role="status" className="flex-1 text-xs text-sky-700 dark:text-sky-300">
                <span aria-hidden className="mr-1 inline-block size-2 animate-pulse rounded-full bg-sky-500" />
                Listening for a {method} to the test URL… {clock(secondsLeft(until, now))} left
              </p>
              <button type="button" onClick={cancel} className={small}>
                Stop listening
              </button>
            </div>
          ) : (
            <button type="button" onClick={() => void start()} disabled={listen.isPending} className="w-full rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-60">
              {listen.isPending ? "Starting…" : "Listen for test event"}
            </button>
          )}
          {outcome === "called" && <p role="status" className="text-xs text-emerald-700 dark:text-emerald-300">Received a test call: its run is shown on the canvas.</p>}
          {outcome === "expired" && <p role="status" className="text-xs text-amber-700 dark:text-amber-300">No call came in time; listen again to take one more.</p>}
          {problem && (
            <p role="alert" className="text-xs text-red-700 dark:text-red-300">
              {problem}
            </p>
          )}
          {listening && (
            <CopyField
              label="Example request"
              value={`curl -X ${method} '${testUrl}' -H 'content-type: application/json' -d '{"hello":"world"}'`}
              hint="Send it from a terminal, or call the test URL from the service that will call the webhook."
            />
          )}
        </div>
      )}
    </section>
  );
}
