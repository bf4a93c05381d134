-- Issue 25, item 1: finding one document's copies no longer walks every open copy of every document.
--
-- dispatches_in_flight (0001, 0080) was a partial index on (status, updated_at) WHERE status is
-- open (pending, delivering), for the sweeper. Its predicate is implied by every statement that
-- asks for one document's pending copies (`document_id = $1 AND status = 'pending'`: the route
-- stage, the hosted deliveries), so the planner could choose it for them, and did once ANALYZE had
-- seen few open copies: its estimate is one row, and its index is small at ANALYZE time. Between
-- two vacuums it is not small: every copy enters it when created, again when the route stage
-- writes its channel (a new row version), and leaves a dead entry each time. A benchmark run read
-- about 800 of its entries and fetched about 380 rows for each one-page document sent to five
-- agencies, where the (document_id, recipient_code) index reads five.
--
-- The sweeper's index now has a predicate that no lookup by document implies: a stored generated
-- column, `open`, true when the status is open (lienthong_open_dispatch_statuses(), so the list
-- stays defined once), and the index is on updated_at WHERE open. Statements that want the open
-- copies in time order (services/pipeline/sweeper.ts, failOrphanedCopies) say `x.open`.
--
-- The column is computed on every write of a row, from its status; adding it rewrites the table
-- (seconds per million copies, the table locked meanwhile). As with the partial indexes of 0080: a
-- migration that redefines lienthong_open_dispatch_statuses() must drop and add this column again.
ALTER TABLE dispatches ADD COLUMN open boolean GENERATED ALWAYS AS (status = ANY (lienthong_open_dispatch_statuses())) STORED;
DROP INDEX dispatches_in_flight;
CREATE INDEX dispatches_open ON dispatches (updated_at) WHERE open;
