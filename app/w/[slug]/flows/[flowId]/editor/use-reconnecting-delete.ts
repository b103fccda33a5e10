"use client";

import { useCallback, useEffect, useState } from "react";
import type { FlowDocument } from "@/nodes/_core/flow-document";
import { newId } from "./clipboard";
import { removeFromDocument, type CanvasSelection, type DocumentChange } from "./flow-canvas";
import type { NodePorts } from "./graph-rules";
import { reconnections, type NewEdge } from "./reconnect";

/** What the editor tells after a delete that joined, or could join, the nodes around it. */
export type ReconnectOffer =
  | { kind: "made"; deleted: string[]; edgeIds: string[]; joins: string[] }
  | { kind: "offered"; deleted: string[]; edges: NewEdge[]; joins: string[] };

/** How long the message stays when nothing is done with it. */
const OFFER_MS = 15_000;

/**
 * Deleting the selection (one undo step), joining the nodes around a deleted one when that is unambiguous, as
 * n8n does, and offering it otherwise. The join made can be taken back on its own; the offer can be taken up.
 */
export function useReconnectingDelete({ document, change, readOnly, selection, ports }: { document: FlowDocument; change: DocumentChange; readOnly: boolean; selection: CanvasSelection; ports: ReadonlyMap<string, NodePorts> }) {
  const [offer, setOffer] = useState<ReconnectOffer | null>(null);
  useEffect(() => {
    if (!offer) return;
    const timer = setTimeout(() => setOffer(null), OFFER_MS);
    return () => clearTimeout(timer);
  }, [offer]);

  const deleteSelection = useCallback(() => {
    if (readOnly) return;
    const removed = new Set(selection.nodeIds);
    const after = removeFromDocument(document, new Set([...selection.nodeIds, ...selection.noteIds]), new Set(selection.edgeIds));
    if (after === document) return;
    const found = reconnections({ before: document, after, removed, portsOf: (id) => ports.get(id) });
    const names = new Map(document.nodes.map((n) => [n.id, n.name]));
    const joinsOf = (edges: NewEdge[]) => edges.map((e) => `"${names.get(e.source)}" → "${names.get(e.target)}"`);
    const made = found.automatic.map((edge) => ({ id: newId("e"), ...edge }));
    change(() => (made.length ? { ...after, edges: [...after.edges, ...made] } : after));
    if (made.length) setOffer({ kind: "made", deleted: found.deleted, edgeIds: made.map((e) => e.id), joins: joinsOf(found.automatic) });
    else if (found.offered.length) setOffer({ kind: "offered", deleted: found.deleted, edges: found.offered, joins: joinsOf(found.offered) });
    else setOffer(null);
  }, [readOnly, selection, document, ports, change]);

  const takeBack = useCallback(() => {
    if (offer?.kind !== "made") return;
    const ids = new Set(offer.edgeIds);
    change((doc) => ({ ...doc, edges: doc.edges.filter((e) => !ids.has(e.id)) }));
    setOffer(null);
  }, [offer, change]);

  const takeUp = useCallback(() => {
    if (offer?.kind !== "offered") return;
    const edges = offer.edges.map((edge) => ({ id: newId("e"), ...edge }));
    change((doc) => ({ ...doc, edges: [...doc.edges, ...edges] }));
    setOffer(null);
  }, [offer, change]);

  return { deleteSelection, offer, takeBack, takeUp, dismiss: useCallback(() => setOffer(null), []) };
}
