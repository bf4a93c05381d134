import { z } from 'zod';
import { Body } from './document-body';
import { DocumentMetadata } from './http';

/** One file of a JSON submission: its bytes in base64 (multipart carries files as parts instead). */
export const SubmissionFile = z
  .object({
    name: z.string().min(1).max(255),
    contentType: z.string().max(255).optional(),
    contentBase64: z.string().regex(/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/, 'base64'),
  })
  .strict();

/**
 * The JSON body of POST /v1/documents: metadata with files, or metadata with a body to render. One
 * definition: the gateway parses with it (metadata and body checked in a second step, so their
 * errors name their own paths) and the OpenAPI document is generated from it (zod's toJSONSchema).
 */
export function jsonSubmissionOf<M extends z.ZodType, B extends z.ZodType>(metadata: M, body: B) {
  return z.union([
    z.object({ metadata, files: z.array(SubmissionFile).min(1) }).strict(),
    z.object({ metadata, body }).strict(),
  ]);
}

export const JsonSubmission = jsonSubmissionOf(DocumentMetadata, Body);
export type JsonSubmission = z.infer<typeof JsonSubmission>;
