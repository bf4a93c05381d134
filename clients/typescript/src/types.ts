/**
 * Request and response types of Liên Thông API v1, taken from the types that openapi-typescript
 * generates from the OpenAPI document at build time (clients/typescript/build.sh): when the API
 * changes, these change with it, and code using the client stops compiling where it must.
 */
import type { paths } from '../generated/openapi';

type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;
type Get<P extends keyof paths> = NonNullable<paths[P]['get']>;
type Post<P extends keyof paths> = NonNullable<paths[P]['post']>;
type JsonBody<O> = O extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;

export type SubmitJson = JsonBody<Post<'/v1/documents'>>;
export type DocumentMetadata = SubmitJson['metadata'];
export type RenderedBody = Extract<SubmitJson, { body: unknown }>['body'];
export type SubmitResult = JsonOf<Post<'/v1/documents'>['responses'][202]>;
export type DocumentView = JsonOf<Get<'/v1/documents/{id}'>['responses'][200]>;
export type InboxPage = JsonOf<Get<'/v1/inbox'>['responses'][200]>;
export type OutboxPage = JsonOf<Get<'/v1/outbox'>['responses'][200]>;
export type DispatchAttemptPage = JsonOf<Get<'/v1/documents/{id}/dispatches/{dispatchId}/attempts'>['responses'][200]>;
export type DispatchAttempt = DispatchAttemptPage['items'][number];
export type StatusBody = JsonBody<Post<'/v1/inbox/{dispatchId}/status'>>;
export type StatusResult = JsonOf<Post<'/v1/inbox/{dispatchId}/status'>['responses'][200]>;
export type RevokeResult = JsonOf<Post<'/v1/documents/{id}/revoke'>['responses'][200]>;
export type RegisterBookList = JsonOf<Get<'/v1/registers/books'>['responses'][200]>;
export type RegisterBook = RegisterBookList['books'][number];
export type AgencyDirectory = JsonOf<Get<'/v1/agencies'>['responses'][200]>;
export type ErrorResponse = JsonOf<Post<'/v1/documents'>['responses'][400]>;
export type PageQuery = NonNullable<Get<'/v1/inbox'>['parameters']['query']>;

/** `GET /v1/stats/edoc-rate` query; the answer is described in the README (totals, groups, target). */
export interface StatsQuery {
  from?: string;
  to?: string;
  agency?: string;
  groupBy?: 'quarter' | 'month' | 'agency';
}
export type EdocRate = JsonOf<Get<'/v1/stats/edoc-rate'>['responses'][200]> & {
  target?: number;
  totals?: { electronic: number; paper: number; mixed: number; total: number; rate: number | null; dispatchRate: number | null };
  groups?: Array<Record<string, unknown> & { key: string }>;
};

export type { paths };
