"use client";

import ReactGridLayout, { useContainerWidth, verticalCompactor, type Layout } from "react-grid-layout";
import "react-grid-layout/css/styles.css";
import "./dashboard-grid.css";
import type { ReactNode } from "react";
import { GRID_COLUMNS, type Widget } from "@/nodes/_core/dashboard";
import { readingOrder } from "../widget-values";

/** Below this width widgets stack one under another in reading order, each as high as on the grid. */
const STACK_BELOW_PX = 640;
const ROW_HEIGHT = 72;
const MARGIN = 12;

/**
 * The dashboard's 12-column grid: editors drag widgets by their title bar and resize them from the corner; each
 * finished move hands the whole new layout back. On a narrow screen the widgets stack instead.
 */
export function DashboardGrid({
  widgets,
  editable,
  onLayout,
  render,
}: {
  widgets: readonly Widget[];
  editable: boolean;
  onLayout: (layouts: ReadonlyMap<string, Widget["layout"]>) => void;
  render: (widget: Widget) => ReactNode;
}) {
  const { width, containerRef, mounted } = useContainerWidth();
  const stacked = mounted && width < STACK_BELOW_PX;
  const layout: Layout = widgets.map((w) => ({ i: w.id, ...w.layout }));
  const save = (next: Layout) => onLayout(new Map(next.map((item) => [item.i, { x: item.x, y: item.y, w: item.w, h: item.h }])));

  return (
    <div ref={containerRef} className="-mx-3">
      {stacked ? (
        <ul aria-label="Widgets" className="flex flex-col gap-3 px-3">
          {readingOrder(widgets).map((widget) => (
            <li key={widget.id} style={{ height: Math.max(widget.layout.h, 2) * ROW_HEIGHT + (widget.layout.h - 1) * MARGIN }}>
              {render(widget)}
            </li>
          ))}
        </ul>
      ) : (
        mounted && (
          <ReactGridLayout
            width={width}
            layout={layout}
            gridConfig={{ cols: GRID_COLUMNS, rowHeight: ROW_HEIGHT, margin: [MARGIN, MARGIN] }}
            dragConfig={{ enabled: editable, handle: ".widget-drag-handle", cancel: "button, input, dialog" }}
            resizeConfig={{ enabled: editable }}
            compactor={verticalCompactor}
            onDragStop={(next) => save(next)}
            onResizeStop={(next) => save(next)}
          >
            {widgets.map((widget) => (
              <div key={widget.id} data-widget-id={widget.id}>
                {render(widget)}
              </div>
            ))}
          </ReactGridLayout>
        )
      )}
    </div>
  );
}
