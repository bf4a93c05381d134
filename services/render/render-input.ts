import type { DocumentMetadata } from '../../contracts/http';
import type { Body } from './body.schema';

export interface RenderAgency {
  /** As registered: "Ủy ban nhân dân tỉnh Đắk Lắk". Printed in capitals. */
  name: string;
  /** The governing body printed above it ("BỘ TÀI CHÍNH" over "CỤC THUẾ …"), if any. */
  parentName?: string | null;
}

export interface RenderInput {
  agency: RenderAgency;
  /** The number is assigned before rendering, so here it is required. */
  metadata: DocumentMetadata & { number: string };
  body: Body;
}

/** Where the signer's signature and seal go, for the visible signature of the sign stage. */
export interface SignerArea {
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RenderedDocument {
  pdf: Buffer;
  pageCount: number;
  signerArea: SignerArea | null;
}

/** The input failed the body schema or holds an impossible date; the message says what. */
export class RenderInputError extends Error {
  override readonly name = 'RenderInputError';
}
