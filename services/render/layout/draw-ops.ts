import type { Color } from 'pdf-lib';
import type { FontStyle, PlacedText } from '../../fonts/serif-font';

/**
 * What a laid-out page holds: painted later, once the fonts each style needs are known. Colour is
 * black unless given; `rect` fills and/or outlines (table header shading, chart bars); a rule may
 * be dashed (a chart's target line).
 */
export type DrawOp =
  | { kind: 'text'; text: string; x: number; y: number; size: number; style: FontStyle; color?: Color }
  | { kind: 'pieces'; pieces: PlacedText[]; y: number; size: number; style: FontStyle; color?: Color }
  | { kind: 'rule'; x1: number; y1: number; x2: number; y2: number; thickness: number; color?: Color; dash?: number[] }
  | { kind: 'rect'; x: number; y: number; width: number; height: number; fill?: Color; border?: Color; borderWidth?: number };

/** A rectangle a later stage cares about (the signer's space for the visible signature). */
export interface MarkedArea {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A vertical piece of flow. `place` draws it with its top edge at `top` (PDF y, growing upwards).
 * `keepWithNext` asks the paginator not to end a page right after it. `split` cuts a box that is
 * taller than a whole page into a head that fits `available` and the rest (null: cannot).
 * `breakBefore` starts it on a fresh page (a register's table after its cover); `runningHeader`
 * is placed first whenever this box opens a page (a table's header row, repeated on each page).
 */
export interface Box {
  readonly height: number;
  readonly spaceBefore: number;
  keepWithNext?: boolean;
  breakBefore?: boolean;
  runningHeader?: Box;
  place(top: number, out: DrawOp[], marks: MarkedArea[]): void;
  split?(available: number): [Box, Box] | null;
}
