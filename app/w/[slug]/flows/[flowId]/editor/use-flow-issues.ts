"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import type { FlowDocument, FlowDocumentIssue } from "@/nodes/_core/flow-document";
import type { Problem } from "./editor-types";
import { locateErrors, mergeProblems, problemsByPlace } from "./problem-counts";

export type FlowRef = { workspaceId: string; flowId: string };

/** The document issues a refused save, run, activation or version carries in its error. */
export function issuesOf(error: unknown): FlowDocumentIssue[] {
  const data = (error as { data?: { details?: { issues?: FlowDocumentIssue[] } } } | null)?.data;
  return data?.details?.issues ?? [];
}

/**
 * Problems, checked on the server a moment after each change, with what activation and a failed save found: one
 * list for the header, and the same problems by node and by edge for the canvas.
 */
export function useFlowIssues({
  ref,
  document,
  activationIssues,
  saveError,
}: {
  ref: FlowRef;
  document: FlowDocument;
  activationIssues: FlowDocumentIssue[];
  /** The error of the failing save, while the save status says it failed. */
  saveError: unknown;
}) {
  const trpc = useTRPC();
  const [checked, setChecked] = useState<Problem[]>([]);
  const validate = useMutation(trpc.flow.validate.mutationOptions());
  const validateRef = useRef(validate.mutateAsync);
  useEffect(() => {
    validateRef.current = validate.mutateAsync;
  }, [validate.mutateAsync]);
  useEffect(() => {
    const timer = setTimeout(() => {
      validateRef.current({ ...ref, document })
        .then((result) => setChecked(result.issues))
        .catch(() => {});
    }, 600);
    return () => clearTimeout(timer);
  }, [document, ref]);

  const issues = useMemo(
    () => mergeProblems(checked, locateErrors(document, activationIssues), saveError ? locateErrors(document, issuesOf(saveError)) : []),
    [checked, activationIssues, saveError, document],
  );
  const { byNode: issuesByNode, byEdge: issuesByEdge } = useMemo(() => problemsByPlace(issues), [issues]);

  return { issues, issuesByNode, issuesByEdge };
}
