import type { Rect as Box, Viewport } from "./initial-viewport";

/**
 * Where to pan when the canvas changes width (a side panel opens, the palette shows): the nodes that were in view
 * stay in view, moved as little as they must; none move when all still fit, so a node stays where it was put. When
 * they no longer all fit, the leftmost of them stays in place. `focus` (the node whose panel is open) is brought into
 * view in any case. Boxes are in flow coordinates; the result is the viewport's new x.
 */
export function panToKeepInView({
  boxes,
  focus,
  viewport,
  previousWidth,
  width,
  height,
  margin = 24,
}: {
  boxes: Box[];
  focus?: Box;
  viewport: Viewport;
  previousWidth: number;
  width: number;
  height: number;
  margin?: number;
}): number {
  const onScreen = (b: Box) => ({ left: b.x * viewport.zoom + viewport.x, right: (b.x + b.width) * viewport.zoom + viewport.x, top: b.y * viewport.zoom + viewport.y, bottom: (b.y + b.height) * viewport.zoom + viewport.y });
  const seen = boxes.map(onScreen).filter((b) => b.right > 0 && b.left < previousWidth && b.bottom > 0 && b.top < height);
  let dx = 0;
  if (seen.length > 0) {
    const left = Math.min(...seen.map((b) => b.left));
    const right = Math.max(...seen.map((b) => b.right));
    // Cut off on the right now: pan left, by what is cut off, but not so far that the leftmost goes out of view.
    if (right > width - margin) dx = -Math.min(right - (width - margin), Math.max(0, left - margin));
  }
  if (focus) {
    const f = onScreen(focus);
    if (f.right + dx > width - margin) dx = width - margin - f.right;
    if (f.left + dx < margin) dx = margin - f.left;
  }
  return viewport.x + dx;
}
