"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import type { FlowDocument } from "@/nodes/_core/flow-document";
import type { ShowNotice } from "./editor-notice";
import type { DocumentChange } from "./flow-canvas";
import { issuesOf, type FlowRef } from "./use-flow-issues";

/** Saving the draft as a version, and bringing a version back into the draft (as one undoable change). */
export function useVersions({
  ref,
  document,
  liveNumber,
  change,
  flush,
  show,
}: {
  ref: FlowRef;
  /** The live version's number; null while the flow is inactive. */
  liveNumber: number | null;
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
        // Saving never changes what triggers run: the live version stays until another is activated.
        show("info", liveNumber === null ? `Saved version ${version.number}.` : `Saved version ${version.number}. v${liveNumber} stays live until you activate v${version.number}.`);
      } catch (err) {
        const details = issuesOf(err).map((i) => `${i.path}: ${i.message}`);
        if (details.length) show("error", "The version was not saved:", details);
        throw err;
      } finally {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.flow.versions.queryKey(ref) }),
          queryClient.invalidateQueries({ queryKey: trpc.flow.get.queryKey(ref) }),
          queryClient.invalidateQueries({ queryKey: trpc.flow.list.queryKey() }),
        ]);
      }
    },
    [flush, saveVersion, ref, document, liveNumber, show, queryClient, trpc],
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
