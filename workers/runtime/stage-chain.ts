import { DocumentStatus, Stage, type JobPayload } from '../../contracts';
import type { OutboxMessage } from '../../services/pipeline/outbox.repository';
import { advanceDocument, type StageAdvance } from '../../services/domain/documents/document.repository';
import type { Db } from '../../services/db/pool';
import type { Logger } from '../../services/logging/logger';
import type { StageRead } from '../../services/domain/documents/document-stages.repository';

/**
 * Stage chaining (issue 25). After a convert job's step, the job itself signs the document, routes
 * it and delivers its hosted copies, each step after the one before (the first three's moves
 * carried into one statement, below), when this worker process runs those stages: no outbox row, relay pass or BullMQ job for any of them, one
 * job per document instead of four (about 0.4 ms less of Redis CPU per document). A process started with
 * `--only` chains only into the stages it runs, so the stages can still be split across processes
 * and each is still measured alone (`--only sign` chains nothing).
 *
 * A chained step runs in its job's slot: the stage's concurrency (LIENTHONG_WORKER_CONCURRENCY)
 * bounds the whole chain, and jobs not yet taken wait in Redis, where admission control sees them.
 *
 * Nothing is lost. The job stays active until its last step has committed: a worker killed
 * mid-chain leaves the job stalled, BullMQ hands it to another worker, and the job, finding the
 * document past its own stage, resumes from the step the document still waits for (resumeStep).
 * A chained step that fails fails its job like its own stage would: the job is retried (and
 * resumes), and after the last attempt the failed step's own handler records the failure.
 * LIENTHONG_STAGE_CHAINING=0 sends every stage through its queue again.
 *
 * A move is carried into the next step (CarriedMove) instead of committed: convert's into sign
 * when everything sign reads is in memory (sign then needs no read), and sign's (with convert's,
 * fuseMoves) into route, whose statement commits it with the route (ADVANCE_ROUTE): a document
 * that goes through in one job is written once for its three moves, accepted → routed. A step
 * that fails commits the move it was carrying alone first (keepingCarried), so its retry or its
 * failure starts at its own stage, as it would have without the carry; a worker killed in between
 * leaves the document `accepted`, and the job, taken over, converts again.
 */
const CHAINED_AFTER: Partial<Record<Stage, Stage>> = { [Stage.convert]: Stage.sign, [Stage.sign]: Stage.route, [Stage.route]: Stage.deliver };

/** The earlier steps' move, not committed, handed to the step chained after them (see above). */
export interface CarriedMove {
  /** The move (convert's, or convert's and sign's as one), committed alone when the step fails. */
  move: StageAdvance;
  /** The document as the step would read it after the move (convert's hand-off to sign: the new files with their bytes). */
  read?: StageRead;
}

/** The next step a handler asks its job to run, in the same job (see above). */
export type NextStep = { [S in Stage]: { stage: S; payload: JobPayload<S>; carried?: CarriedMove } }[Stage];

/**
 * A move that may be carried: its blobs are all in memory (a large one needs the transaction
 * advanceDocument opens for it before the statement, so it commits on its own).
 */
export function carriable(move: StageAdvance): boolean {
  return (move.blobs ?? []).every((b) => b.bytes !== undefined);
}

/**
 * Two moves of one document as one: from the first's status to the second's, the first's page count
 * and text, the second's signature and outbox rows, the files by role (the second's replace the
 * first's) and the blobs those files still use (an attachment's unsigned conversion, replaced by
 * its signed one, is not stored).
 */
export function fuseMoves(first: StageAdvance, second: StageAdvance): StageAdvance {
  const files = new Map<string, NonNullable<StageAdvance['files']>[number]>();
  for (const f of [...(first.files ?? []), ...(second.files ?? [])]) {
    files.delete(f.role);
    files.set(f.role, f);
  }
  const used = new Set([...files.values()].map((f) => f.sha256));
  return {
    id: second.id,
    from: first.from,
    to: second.to,
    pageCount: second.pageCount ?? first.pageCount,
    signature: second.signature ?? first.signature,
    blobs: [...(first.blobs ?? []), ...(second.blobs ?? [])].filter((b) => used.has(b.sha256)),
    files: [...files.values()],
    outbox: [...first.outbox, ...second.outbox],
    text: second.text !== undefined ? second.text : first.text,
  };
}

/** The stages a step of `stage` may run after itself here: those chained after it that this process runs. */
export function chainsAfter(stage: Stage, runs: readonly Stage[], enabled: boolean): ReadonlySet<Stage> {
  const out = new Set<Stage>();
  if (!enabled) return out;
  for (let s = CHAINED_AFTER[stage]; s !== undefined && runs.includes(s); s = CHAINED_AFTER[s]) out.add(s);
  return out;
}

/** What follows a move: the one message whose stage is chained here becomes the job's next step; anything else goes to the outbox. */
export function chainOrQueue(follows: OutboxMessage[], chains: ReadonlySet<Stage> | undefined): { outbox: OutboxMessage[]; next?: NextStep } {
  const only = follows.length === 1 ? follows[0] : undefined;
  if (only && chains?.has(only.stage)) return { outbox: [], next: { stage: only.stage, payload: only.payload } as NextStep };
  return { outbox: follows };
}

/**
 * A job run again after its own move had committed (its worker killed mid-chain, the job taken
 * over): the chained step the document still waits for, or nothing. A document `converted` waits
 * for sign, a `signed` one for route; a `routed` one may still have hosted copies open (the step
 * moves only those, so it is harmless when none are left).
 */
export function resumeStep(status: DocumentStatus | undefined, documentId: string, chains: ReadonlySet<Stage> | undefined): NextStep | undefined {
  if (status === DocumentStatus.converted && chains?.has(Stage.sign)) return { stage: Stage.sign, payload: { documentId } };
  if (status === DocumentStatus.signed && chains?.has(Stage.route)) return { stage: Stage.route, payload: { documentId } };
  if (status === DocumentStatus.routed && chains?.has(Stage.deliver)) return { stage: Stage.deliver, payload: { documentId, hosted: true } };
  return undefined;
}

/**
 * Runs a step that carries `move` (see above). When the step fails, the move commits alone first,
 * so the retry, or the failure its stage records, starts at that stage; then the failure goes on.
 */
export async function keepingCarried<T>(db: Db, move: StageAdvance, log: Logger, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    await advanceDocument(db, move).catch((e: unknown) => log.warn({ err: e }, 'the carried move could not be kept after its step failed; the retry starts over'));
    throw err;
  }
}
