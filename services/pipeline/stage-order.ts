import { DispatchStatus, DocumentStatus, Stage } from '../../contracts';
import type { OutboxMessage } from './outbox.repository';

/** What the route stage found to deliver: whether any copy is on the hosted channel, and the other copies. */
export interface RoutedDeliveries {
  hosted: boolean;
  /** The copies on another channel (push, relay, axis, paper), in recipient order: one job each. */
  dispatchIds: string[];
}

/**
 * The pipeline, top to bottom: the one place that says what follows what.
 *   accept (gateway) → convert → sign → route → deliver (one job for a document's hosted copies,
 *   one per other copy)
 */
export function whatFollows(stage: Stage, documentId: string, priority: number, deliveries: RoutedDeliveries = { hosted: false, dispatchIds: [] }): OutboxMessage[] {
  switch (stage) {
    case Stage.convert:
      return [{ stage: Stage.sign, payload: { documentId }, priority }];
    case Stage.sign:
      return [{ stage: Stage.route, payload: { documentId }, priority }];
    case Stage.route:
      return [
        ...(deliveries.hosted ? [{ stage: Stage.deliver, payload: { documentId, hosted: true as const }, priority }] : []),
        ...deliveries.dispatchIds.map((dispatchId) => ({ stage: Stage.deliver, payload: { documentId, dispatchId }, priority })),
      ];
    case Stage.deliver:
    case Stage.notify:
      // Status webhooks are not a pipeline step: recordStatus and revoke enqueue them with the event.
      return [];
  }
}

/** The stage a document waits for in each in-flight status; the sweeper re-publishes it. */
export function stageAwaitedIn(status: DocumentStatus): Stage | undefined {
  switch (status) {
    case DocumentStatus.accepted:
      return Stage.convert;
    case DocumentStatus.converted:
      return Stage.sign;
    case DocumentStatus.signed:
      return Stage.route;
    case DocumentStatus.routed:
    case DocumentStatus.failed:
    case DocumentStatus.revoked:
    case DocumentStatus.replaced:
      return undefined;
  }
}

/**
 * The in-flight document statuses: those in which a document waits for a stage (stageAwaitedIn),
 * derived from it so the list cannot drift. The sweeper re-publishes them; failDocument fails only
 * them. (SQL: lienthong_in_flight_document_statuses(), migration 0080; a unit test keeps the two equal.)
 */
export const IN_FLIGHT_DOCUMENT_STATUSES: readonly DocumentStatus[] = Object.values(DocumentStatus).filter((s) => stageAwaitedIn(s) !== undefined);

/** The document status a stage starts from: the inverse of stageAwaitedIn (an operator retry goes back to it). */
export function statusBefore(stage: typeof Stage.convert | typeof Stage.sign | typeof Stage.route): DocumentStatus {
  const status = IN_FLIGHT_DOCUMENT_STATUSES.find((s) => stageAwaitedIn(s) === stage);
  if (!status) throw new Error(`no document status awaits ${stage}`);
  return status;
}

/** A copy still to be delivered: it waits for its deliver job (SQL: lienthong_open_dispatch_statuses(), migration 0080, which the partial indexes and the generated column dispatches.open, 0101, name). */
export const OPEN_DISPATCH_STATUSES: readonly DispatchStatus[] = [DispatchStatus.pending, DispatchStatus.delivering];
