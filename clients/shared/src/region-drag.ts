// Marking a rectangle on a page image by dragging over it (mouse, pen or finger): 在线阅卷's
// note regions and 遮蔽's marks, in fractions of the element so they fit any rendered size.

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A region as CSS for an absolutely placed box over the element. */
export const regionStyle = (r: Region) =>
  `left:${r.x * 100}%;top:${r.y * 100}%;width:${r.width * 100}%;height:${r.height * 100}%`;

/**
 * Pointer handlers for an element: `down` starts a drag (capturing the pointer), `move` reports
 * the region so far to `set`, `up` ends it (a region under 1 % either way is none) and answers
 * whether a drag was under way.
 */
export function regionDrag(set: (region: Region | null) => void) {
  let start: { x: number; y: number } | null = null;
  let last: Region | null = null;
  const at = (e: PointerEvent) => {
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    return {
      x: Math.max(0, Math.min(1, (e.clientX - r.left) / r.width)),
      y: Math.max(0, Math.min(1, (e.clientY - r.top) / r.height)),
    };
  };
  const report = (r: Region | null) => {
    last = r;
    set(r);
  };
  return {
    down(e: PointerEvent) {
      (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
      start = at(e);
      report({ ...start, width: 0, height: 0 });
    },
    move(e: PointerEvent) {
      if (!start) return;
      const p = at(e);
      report({
        x: Math.min(start.x, p.x),
        y: Math.min(start.y, p.y),
        width: Math.abs(p.x - start.x),
        height: Math.abs(p.y - start.y),
      });
    },
    up(): boolean {
      if (!start) return false;
      start = null;
      if (last && (last.width < 0.01 || last.height < 0.01)) report(null);
      return true;
    },
  };
}
