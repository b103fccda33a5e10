"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { issueInWords, locateIssue, type FlowDocument, type FlowDocumentIssue } from "@/nodes/_core/flow-document";

export type LocatedIssue = FlowDocumentIssue & { nodeId: string | null; field: string | null };
export type FlowRef = { workspaceId: string; flowId: string };

/** The document issues a refused save, run, activation or version carries in its error. */
export function issuesOf(error: unknown): FlowDocumentIssue[] {
  const data = (error as { data?: { details?: { issues?: FlowDocumentIssue[] } } } | null)?.data;
  return data?.details?.issues ?? [];
}

/**
 * Problems, checked on the server a moment after each change, with what activation and a failed save found, by
 * node for the canvas.
 */
export function useFlowIssues({
  ref,
  document,
  activationIssues,
  saveError,
}: {
  ref: FlowRef;
  document: FlowDocument;
  activationIssues: { nodeId: string; message: string }[];
  /** The error of the failing save, while the save status says it failed. */
  saveError: unknown;
}) {
  const trpc = useTRPC();
  const [issues, setIssues] = useState<LocatedIssue[]>([]);
  const validate = useMutation(trpc.flow.validate.mutationOptions());
  const validateRef = useRef(validate.mutateAsync);
  useEffect(() => {
    validateRef.current = validate.mutateAsync;
  }, [validate.mutateAsync]);
  useEffect(() => {
    const timer = setTimeout(() => {
      validateRef.current({ ...ref, document })
        .then((result) => setIssues(result.issues))
        .catch(() => {});
    }, 600);
    return () => clearTimeout(timer);
  }, [document, ref]);

  const issuesByNode = useMemo(() => {
    const map = new Map<string, string[]>();
    const add = (nodeId: string | null, message: string) => {
      if (nodeId) map.set(nodeId, [...(map.get(nodeId) ?? []), message]);
    };
    for (const issue of issues) add(issue.nodeId, issue.message);
    for (const issue of activationIssues) add(issue.nodeId, issue.message);
    if (saveError) {
      for (const issue of issuesOf(saveError)) add(locateIssue(document, issue.path).nodeId, issueInWords(document, issue));
    }
    return map;
  }, [issues, activationIssues, saveError, document]);

  return { issues, issuesByNode };
}
