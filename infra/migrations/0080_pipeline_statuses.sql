-- Issue 18, one definition per rule: the open dispatch statuses (a copy still to be delivered) and
-- the in-flight document statuses (a document waiting for a stage) are defined once in SQL, as
-- these two functions, and once in TypeScript (services/pipeline/stage-order.ts:
-- OPEN_DISPATCH_STATUSES, IN_FLIGHT_DOCUMENT_STATUSES). test/unit/pipeline/sql-statuses.test.ts
-- reads this file and fails when the two differ; SQL in the product code writes
-- `status = ANY (lienthong_open_dispatch_statuses())` instead of the list.
--
-- IMMUTABLE is true of the functions as long as their bodies do not change, and it is what lets a
-- partial index name them: the planner folds the call to its constant array, so a query spelling
-- either the list or the call matches the index. The price, written here so nobody pays it
-- unknowingly: a later migration that redefines one of them (CREATE OR REPLACE) must REINDEX the
-- indexes below in the same migration, or they keep the old list.
CREATE FUNCTION lienthong_open_dispatch_statuses() RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ARRAY['pending', 'delivering']::text[] $$;

CREATE FUNCTION lienthong_in_flight_document_statuses() RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ARRAY['accepted', 'converted', 'signed']::text[] $$;

-- The partial indexes that spelled the lists (0001, 0025) are made again over the functions (same
-- names, same columns, the same rows).
DROP INDEX documents_in_flight;
CREATE INDEX documents_in_flight ON documents (status, updated_at) WHERE status = ANY (lienthong_in_flight_document_statuses());
DROP INDEX dispatches_in_flight;
CREATE INDEX dispatches_in_flight ON dispatches (status, updated_at) WHERE status = ANY (lienthong_open_dispatch_statuses());
DROP INDEX dispatches_alerted;
CREATE INDEX dispatches_alerted ON dispatches (alerted_at) WHERE alerted_at IS NOT NULL AND status = ANY (lienthong_open_dispatch_statuses());
