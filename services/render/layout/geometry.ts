/** Page geometry in PDF points (1/72 inch). */

export const MM = 72 / 25.4;

export interface PageFrame {
  width: number;
  height: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** A4 portrait with the Decree 30 annex I margins: top/bottom 20 mm, left 30 mm, right 15 mm. */
export const A4_DECREE_30: PageFrame = {
  width: 595.28,
  height: 841.89,
  top: 20 * MM,
  bottom: 20 * MM,
  left: 30 * MM,
  right: 15 * MM,
};

export function contentWidth(frame: PageFrame): number {
  return frame.width - frame.left - frame.right;
}

export function contentHeight(frame: PageFrame): number {
  return frame.height - frame.top - frame.bottom;
}

/**
 * Tinos (like Times New Roman) has ascent 0.891 em and descent 0.216 em; a line of pitch `lineHeight`
 * centres that box, so this is how far below a line's top its baseline sits.
 */
export function baselineOffset(size: number, lineHeight: number): number {
  return (lineHeight - 1.107 * size) / 2 + 0.891 * size;
}

export interface Margins {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** An A4 page, upright or on its side (reports and registers), with the given margins. */
export function a4Frame(orientation: 'portrait' | 'landscape', margins: Margins): PageFrame {
  const [width, height] = orientation === 'portrait' ? [A4_DECREE_30.width, A4_DECREE_30.height] : [A4_DECREE_30.height, A4_DECREE_30.width];
  return { width, height, ...margins };
}
