import { DocumentStatus, Stage, Urgency } from '../../contracts';
import { advanceAndRoute, routeDocument } from '../../services/domain/documents/document.repository';
import { priorityOf } from '../../services/pipeline/priority';
import type { StageHandler } from '../runtime/stage-context';
import { keepingCarried, resumeStep } from '../runtime/stage-chain';
import { failDocument } from './fail-document';

const PRIORITIES = Object.values(Urgency).map((urgency) => ({ urgency, priority: priorityOf(urgency) }));

/**
 * route: each dispatch takes its recipient's channel from the directory; the deliver jobs follow
 * (whatFollows(Stage.route, …), at the document's priority): ONE for every copy on the hosted
 * channel ({ documentId, hosted: true }) and one per other copy ({ documentId, dispatchId }).
 * All of it is one statement (routeDocument): a document that is no longer `signed` (routed
 * already, revoked, failed) is left as it is and nothing is enqueued. When this process runs the
 * deliver stage, the hosted copies are this job's next step instead of a job (stage-chain.ts).
 */
export const routeStage: StageHandler<typeof Stage.route> = {
  async run({ documentId }, { db, log, chains, carried }) {
    const hostedInline = chains?.has(Stage.deliver) ?? false;
    const work = { to: DocumentStatus.routed, topic: Stage.deliver, priorities: PRIORITIES, hostedInline };
    // The earlier steps' move, carried into this one (stage-chain.ts), commits with the route.
    const fanOut = carried
      ? await keepingCarried(db, carried.move, log, () => advanceAndRoute(db, carried.move, work))
      : await routeDocument(db, { id: documentId, from: DocumentStatus.signed, ...work });
    // Routed already: a job taken over mid-chain resumes the hosted deliveries (stage-chain.ts).
    if (!fanOut.moved) return resumeStep(fanOut.status, documentId, chains);
    log.info({ dispatches: fanOut.dispatches, deliverJobs: fanOut.jobs }, 'routed');
    if (hostedInline && fanOut.hosted > 0) return { stage: Stage.deliver, payload: { documentId, hosted: true } };
  },
  async onFinalFailure({ documentId }, error, { db }) {
    await failDocument(db, documentId, error, 'route');
  },
};

