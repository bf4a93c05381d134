import { LedgerKind } from '../../../contracts';
import type { Queryable } from '../../../services/db/pool';
import { groupKeySql, type FigureScope, type OutcomeTuple } from '../../../services/stats/edoc-rate.query';
import { figureQuery } from '../../../services/stats/figure-query';

/**
 * Outcome counts per document, from the ledger itself (what figure_outcomes, migration 0087,
 * keeps counted: the rate reads that, and the tests check the two agree): the documents are those with a document_accepted
 * row (joined to `documents` for the issue date, the signed file and a pipeline failure), each
 * copy's outcome is its latest outcome row; recorded paper documents come from their
 * paper_recorded rows. Returned grouped by (key, outcomes), so classification stays in TypeScript
 * (classify-document.ts) while the rows crossing the wire stay few.
 */
export async function documentOutcomeTuplesFromLedger(db: Queryable, s: FigureScope): Promise<OutcomeTuple[]> {
  const r = await figureQuery<OutcomeTuple>(
    db,
    `WITH docs AS (
       SELECT d.id, l.sender, d.issued_on, d.status = 'failed' AS pipeline_failed,
              COALESCE((l.detail->>'recipients')::int, (SELECT count(*)::int FROM dispatches x WHERE x.document_id = d.id)) AS copies,
              EXISTS (SELECT 1 FROM document_files f WHERE f.document_id = d.id AND f.role = 'signed') AS signed
         FROM documents d
         -- Driven by the issue dates (documents_by_issue), each document's accept row looked up by
         -- ledger_by_document; OFFSET 0 keeps the planner from turning it into a scan of every
         -- accept row of the ledger (issue 25: years of history).
         CROSS JOIN LATERAL (SELECT l.sender, l.detail FROM ledger l WHERE l.kind = $4 AND l.document_id = d.id AND l.dispatch_id IS NULL OFFSET 0) l
        WHERE d.issued_on BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR l.sender = ANY($3::text[]))
          AND l.sender NOT IN (SELECT code FROM agencies WHERE sandbox OR reached_via <> 'local')
     ), outcomes AS (
       -- Each document's copies' latest outcome, per document by ledger_by_document (a copy's rows
       -- all carry its document), not a sort of every outcome row of the period.
       SELECT o.document_id, o.kind
         FROM docs CROSS JOIN LATERAL (
           SELECT DISTINCT ON (x.dispatch_id) x.document_id, x.kind FROM ledger x
            WHERE x.document_id = docs.id AND x.kind = ANY($5::text[]) AND x.dispatch_id IS NOT NULL
            ORDER BY x.dispatch_id, x.id DESC) o
     ), electronic_docs AS (
       SELECT docs.sender, docs.issued_on, docs.copies, docs.signed, docs.pipeline_failed,
              count(o.kind) FILTER (WHERE o.kind = $6)::int AS delivered,
              count(o.kind) FILTER (WHERE o.kind = $7)::int AS paper,
              count(o.kind) FILTER (WHERE o.kind = $8)::int AS failed
         FROM docs LEFT JOIN outcomes o ON o.document_id = docs.id
        GROUP BY docs.id, docs.sender, docs.issued_on, docs.copies, docs.signed, docs.pipeline_failed
     ), paper_docs AS (
       SELECT l.sender, p.issued_on, count(*)::int AS copies, false AS signed, false AS pipeline_failed,
              0 AS delivered, count(*)::int AS paper, 0 AS failed
         FROM paper_documents p JOIN ledger l ON l.kind = $9 AND l.document_id = p.id
        WHERE p.issued_on BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR l.sender = ANY($3::text[]))
          AND l.sender NOT IN (SELECT code FROM agencies WHERE sandbox OR reached_via <> 'local')
        GROUP BY p.id, l.sender, p.issued_on
     ), all_docs AS (
       SELECT * FROM electronic_docs UNION ALL SELECT * FROM paper_docs
     )
     SELECT ${groupKeySql(s.groupBy, 'issued_on', 'sender')} AS key, copies, delivered, paper, failed, signed,
            pipeline_failed AS "pipelineFailed", count(*)::int AS documents
       FROM all_docs GROUP BY 1, 2, 3, 4, 5, 6, 7`,
    [
      s.from,
      s.to,
      s.agencies,
      LedgerKind.documentAccepted,
      [LedgerKind.dispatchDelivered, LedgerKind.dispatchPaper, LedgerKind.dispatchFailed],
      LedgerKind.dispatchDelivered,
      LedgerKind.dispatchPaper,
      LedgerKind.dispatchFailed,
      LedgerKind.paperRecorded,
    ],
  );
  return r.rows;
}
