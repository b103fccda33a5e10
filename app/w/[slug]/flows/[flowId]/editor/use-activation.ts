"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import type { FlowDocument, FlowDocumentIssue } from "@/nodes/_core/flow-document";
import type { ShowNotice } from "./editor-notice";
import { issuesOf, type FlowRef } from "./use-flow-issues";

/** The Active switch; what a refused activation found is listed with the flow's problems until the document changes. */
export function useActivation({ ref, active, document, show }: { ref: FlowRef; active: boolean; document: FlowDocument; show: ShowNotice }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [activationProblems, setActivationProblems] = useState<{ document: FlowDocument; issues: FlowDocumentIssue[] } | null>(null);
  const activate = useMutation(trpc.flow.activate.mutationOptions());
  const deactivate = useMutation(trpc.flow.deactivate.mutationOptions());

  const toggleActive = useCallback(async () => {
    try {
      if (active) {
        await deactivate.mutateAsync(ref);
        show("info", "The flow is inactive: triggers no longer start it.");
      } else {
        // Webhook URLs hold the workspace's slug (/hooks/<workspace>/<path>): shown whole, ready to copy.
        const { webhooks } = await activate.mutateAsync(ref);
        const urls = webhooks.map((hook) => `${hook.methods.join(", ")} ${window.location.origin}${hook.url}`);
        show("info", `The flow is active: its latest version runs on its triggers.${urls.length ? " Its webhooks answer at:" : ""}`, urls);
      }
    } catch (err) {
      const found = issuesOf(err);
      setActivationProblems({ document, issues: found });
      show("error", found.length ? "The latest version cannot be activated:" : err instanceof Error ? err.message : String(err), found.map((i) => i.message));
    } finally {
      await queryClient.invalidateQueries({ queryKey: trpc.flow.get.queryKey(ref) });
    }
  }, [active, activate, deactivate, ref, show, document, queryClient, trpc]);

  const activationIssues = useMemo(() => (activationProblems?.document === document ? activationProblems.issues : []), [activationProblems, document]);

  return { toggleActive, toggling: activate.isPending || deactivate.isPending, activationIssues };
}
