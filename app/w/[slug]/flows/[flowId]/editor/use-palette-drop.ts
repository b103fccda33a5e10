"use client";

import { useReactFlow } from "@xyflow/react";
import { useCallback, type DragEvent } from "react";

/** What a node type dragged from the palette carries. */
export const PALETTE_DRAG_TYPE = "application/x-streamware-node";

/**
 * Drop handlers for a node type dragged from the palette: the canvas has them, and so has anything shown over it
 * (the empty flow's card), so a node dropped there lands where it was let go too.
 */
export function usePaletteDrop(onDropType: (type: string, position: { x: number; y: number }) => void) {
  const { screenToFlowPosition } = useReactFlow();
  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  }, []);
  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(PALETTE_DRAG_TYPE);
      if (!type) return;
      event.preventDefault();
      event.stopPropagation();
      onDropType(type, screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    },
    [onDropType, screenToFlowPosition],
  );
  return { onDragOver, onDrop };
}
