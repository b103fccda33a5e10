"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import type { FlowDocument, FlowDocumentIssue } from "@/nodes/_core/flow-document";
import type { ShowNotice } from "./editor-notice";
import { issuesOf, type FlowRef } from "./use-flow-issues";

/**
 * The Active switch and making a version live. Triggers run exactly one version, the live one: the switch turns
 * the flow on with its latest version (or off), and `activateVersion` makes any saved version live (a newer one,
 * or an earlier one to roll back). What a refused activation found is listed with the flow's problems until the
 * document changes.
 */
export function useActivation({ ref, active, document, show }: { ref: FlowRef; active: boolean; document: FlowDocument; show: ShowNotice }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [activationProblems, setActivationProblems] = useState<{ document: FlowDocument; issues: FlowDocumentIssue[] } | null>(null);
  const activate = useMutation(trpc.flow.activate.mutationOptions());
  const deactivate = useMutation(trpc.flow.deactivate.mutationOptions());

  const refresh = useCallback(
    () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: trpc.flow.get.queryKey(ref) }),
        queryClient.invalidateQueries({ queryKey: trpc.flow.versions.queryKey(ref) }),
        queryClient.invalidateQueries({ queryKey: trpc.flow.list.queryKey() }),
      ]),
    [queryClient, trpc, ref],
  );

  /** Activates a version (the latest when none is named); says which one runs now and where its webhooks answer. */
  const activateOne = useCallback(
    async (versionNumber: number | undefined, said: (n: number) => string) => {
      try {
        const result = await activate.mutateAsync({ ...ref, versionNumber });
        // Webhook URLs hold the workspace's slug (/hooks/<workspace>/<path>): shown whole, ready to copy.
        const urls = result.webhooks.map((hook) => `${hook.methods.join(", ")} ${window.location.origin}${hook.url}`);
        show("info", `${said(result.versionNumber)}${urls.length ? " Its webhooks answer at:" : ""}`, urls);
      } catch (err) {
        const found = issuesOf(err);
        setActivationProblems({ document, issues: found });
        const what = versionNumber ? `v${versionNumber}` : "The latest version";
        show("error", found.length ? `${what} cannot be activated:` : err instanceof Error ? err.message : String(err), found.map((i) => i.message));
      } finally {
        await refresh();
      }
    },
    [activate, ref, show, document, refresh],
  );

  const toggleActive = useCallback(async () => {
    if (!active) return activateOne(undefined, (n) => `The flow is active: v${n} runs on its triggers.`);
    try {
      await deactivate.mutateAsync(ref);
      show("info", "The flow is inactive: triggers no longer start it.");
    } catch (err) {
      show("error", err instanceof Error ? err.message : String(err));
    } finally {
      await refresh();
    }
  }, [active, activateOne, deactivate, ref, show, refresh]);

  const activateVersion = useCallback((versionNumber: number) => activateOne(versionNumber, (n) => `v${n} is live: it runs on the flow's triggers.`), [activateOne]);

  const activationIssues = useMemo(() => (activationProblems?.document === document ? activationProblems.issues : []), [activationProblems, document]);

  return { toggleActive, activateVersion, toggling: activate.isPending || deactivate.isPending, activationIssues };
}
