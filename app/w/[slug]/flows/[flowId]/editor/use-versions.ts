"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { issueInWords, type FlowDocument } from "@/nodes/_core/flow-document";
import type { ShowNotice } from "./editor-notice";
import type { DocumentChange } from "./flow-canvas";
import { issuesOf, type FlowRef } from "./use-flow-issues";

/** Saving the draft as a version, and bringing a version back into the draft (as one undoable change). */
export function useVersions({
  ref,
  document,
  change,
  flush,
  show,
}: {
  ref: FlowRef;
  document: FlowDocument;
  change: DocumentChange;
  flush: () => Promise<boolean>;
  show: ShowNotice;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const saveVersion = useMutation(trpc.flow.saveVersion.mutationOptions());
  const onSaveVersion = useCallback(
    async (message: string) => {
      await flush();
      try {
        const version = await saveVersion.mutateAsync({ ...ref, document, message });
        show("info", `Saved version ${version.number}.`);
      } catch (err) {
        const details = issuesOf(err).map((i) => issueInWords(document, i));
        if (details.length) show("error", "The version was not saved:", details);
        throw err;
      } finally {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.flow.versions.queryKey(ref) }),
          queryClient.invalidateQueries({ queryKey: trpc.flow.get.queryKey(ref) }),
        ]);
      }
    },
    [flush, saveVersion, ref, document, show, queryClient, trpc],
  );
  const onRestore = useCallback(
    (restored: FlowDocument, number: number) => {
      change(() => restored);
      show("info", `Version ${number} is in the draft now; undo brings back what was there.`);
    },
    [change, show],
  );
  return { onSaveVersion, onRestore };
}
