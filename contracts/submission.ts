import { z } from 'zod';
import { Body } from './document-body';
import { DocumentMetadata } from './http';

/** A file's bytes as base64 text. */
export const Base64Text = z.string().regex(/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/, 'base64');

/** One file of a JSON submission: its bytes in base64 (multipart carries files as parts instead). */
export function submissionFileOf<C extends z.ZodType>(content: C) {
  return z
    .object({
      name: z.string().min(1).max(255),
      contentType: z.string().max(255).optional(),
      contentBase64: content,
    })
    .strict();
}

/**
 * The JSON body of POST /v1/documents: metadata with files, or metadata with a body to render. One
 * definition: the gateway parses with it (metadata and body checked in a second step, so their
 * errors name their own paths; file contents may arrive already decoded) and the OpenAPI document is generated from it (zod's toJSONSchema).
 */
export function jsonSubmissionOf<M extends z.ZodType, B extends z.ZodType, C extends z.ZodType>(metadata: M, body: B, content: C) {
  return z.union([
    z.object({ metadata, files: z.array(submissionFileOf(content)).min(1) }).strict(),
    z.object({ metadata, body }).strict(),
  ]);
}

export const JsonSubmission = jsonSubmissionOf(DocumentMetadata, Body, Base64Text);
export type JsonSubmission = z.infer<typeof JsonSubmission>;
