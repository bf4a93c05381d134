import { DocumentStatus, Stage } from '../../../contracts';
import type { OutboxMessage } from '../outbox/outbox.repository';

/**
 * The pipeline, top to bottom: the one place that says what follows what.
 *   accept (gateway) → convert → sign → route → deliver (one job per recipient)
 */
export function whatFollows(stage: Stage, documentId: string, priority: number, dispatchIds: string[] = []): OutboxMessage[] {
  switch (stage) {
    case Stage.convert:
      return [{ stage: Stage.sign, payload: { documentId }, priority }];
    case Stage.sign:
      return [{ stage: Stage.route, payload: { documentId }, priority }];
    case Stage.route:
      return dispatchIds.map((dispatchId) => ({ stage: Stage.deliver, payload: { documentId, dispatchId }, priority }));
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
