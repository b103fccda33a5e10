"use client";

import { useReactFlow } from "@xyflow/react";
import { useEffect, useRef, type RefObject } from "react";
import { NODE_WIDTH } from "./canvas-nodes";
import { panToKeepInView } from "./keep-in-view";

/**
 * A panel opening beside the canvas (or the palette) narrows it: pan so that what was in view, and the node whose
 * panel opened, stay in view. When it closes, the pan is undone (unless the view was moved meanwhile).
 */
export function useKeepViewOnResize(canvasRef: RefObject<HTMLDivElement | null>, openNodeId: string | null) {
  const { getNodes, getViewport, setViewport } = useReactFlow();
  const openNodeIdRef = useRef(openNodeId);
  useEffect(() => {
    openNodeIdRef.current = openNodeId;
  }, [openNodeId]);
  useEffect(() => {
    const element = canvasRef.current;
    if (!element) return;
    let width = element.clientWidth;
    let panned: { by: number; to: number } | null = null;
    const observer = new ResizeObserver(() => {
      const previousWidth = width;
      width = element.clientWidth;
      if (width === previousWidth || previousWidth === 0 || width === 0) return;
      const viewport = getViewport();
      if (width > previousWidth && panned && Math.abs(viewport.x - panned.to) < 0.5) {
        void setViewport({ ...viewport, x: viewport.x - panned.by });
        panned = null;
        return;
      }
      const nodes = getNodes();
      const boxes = nodes.map((n) => ({ x: n.position.x, y: n.position.y, width: n.measured?.width ?? NODE_WIDTH, height: n.measured?.height ?? 68 }));
      const focus = boxes[nodes.findIndex((n) => n.id === openNodeIdRef.current)];
      const x = panToKeepInView({ boxes, focus, viewport, previousWidth, width, height: element.clientHeight });
      panned = x !== viewport.x ? { by: x - viewport.x, to: x } : null;
      if (panned) void setViewport({ ...viewport, x });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [getNodes, getViewport, setViewport, canvasRef]);
}
