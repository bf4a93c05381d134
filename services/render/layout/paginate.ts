import type { Box, DrawOp, MarkedArea } from './draw-ops';
import { type PageFrame, contentHeight } from './geometry';

export interface LaidOutPages {
  pages: DrawOp[][];
  marks: (MarkedArea & { page: number })[];
}

const EPSILON = 0.01;

/**
 * Fills pages top to bottom. A box that does not fit starts a new page; a box taller than a whole
 * page is split; a `keepWithNext` box moves to the next page with its follower when the two do not
 * fit together (so a heading never ends a page, and the signer block keeps the body's last line).
 * A `breakBefore` box starts a fresh page; a box with a `runningHeader` that opens a page has the
 * header placed above it (a table's header row on each page it runs onto).
 */
export function paginate(boxes: readonly Box[], frame: PageFrame): LaidOutPages {
  const top = frame.height - frame.top;
  const bottom = frame.bottom;
  const full = contentHeight(frame);
  const pages: DrawOp[][] = [[]];
  const marks: LaidOutPages['marks'] = [];
  const queue = [...boxes];
  let y = top;
  let empty = true;
  let headerOnly = false; // the page holds nothing but a repeated header: moving on would not help

  const newPage = () => {
    pages.push([]);
    y = top;
    empty = true;
    headerOnly = false;
  };
  const place = (box: Box, spaceBefore: number) => {
    const out = pages[pages.length - 1] ?? [];
    const found: MarkedArea[] = [];
    box.place(y - spaceBefore, out, found);
    for (const m of found) marks.push({ ...m, page: pages.length - 1 });
    y -= spaceBefore + box.height;
    empty = false;
    headerOnly = false;
  };

  for (let i = 0; i < queue.length; i++) {
    const box = queue[i];
    if (!box) continue;
    if (box.breakBefore && !empty) newPage();
    if (empty && box.runningHeader) {
      place(box.runningHeader, 0);
      headerOnly = true;
    }
    const spaceBefore = empty ? 0 : box.spaceBefore;
    const after = y - spaceBefore - box.height;
    if (after >= bottom - EPSILON) {
      const next = queue[i + 1];
      const nextNeeds = next ? next.spaceBefore + Math.min(next.height, full) : 0;
      if (box.keepWithNext && next && !empty && !headerOnly && after - nextNeeds < bottom - EPSILON) {
        newPage();
        i--; // place it again on the fresh page
        continue;
      }
      place(box, spaceBefore);
      continue;
    }
    if ((box.height > full || headerOnly) && box.split) {
      const parts = box.split(y - spaceBefore - bottom);
      if (parts) {
        place(parts[0], spaceBefore);
        queue.splice(i + 1, 0, parts[1]);
        newPage();
        continue;
      }
    }
    if (!empty && !headerOnly) {
      newPage();
      i--;
      continue;
    }
    place(box, 0); // taller than a page and not splittable: the limits on input make this rare
  }
  return { pages, marks };
}
