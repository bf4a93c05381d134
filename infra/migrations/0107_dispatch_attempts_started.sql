-- Every counted push attempt has its row, even when the worker dies during it.
--
-- Until now a push attempt's row (0025) was written only once its outcome was known, while the
-- dispatch's `attempts` counter was incremented before the HTTP request. A worker killed (-9, OOM,
-- a lost host) during the request left the attempt counted with no row: N attempts on the copy,
-- fewer in its history, one attempt gone without a trace.
--
-- Now the row is written by the statement that counts the attempt (beginPushAttempt), with the
-- outcome 'started', and completed in place ('delivered' or 'failed') when the outcome is known.
-- A row still 'started' when the next attempt of the same copy begins (the stalled job retried by
-- BullMQ, the sweeper's re-add) belonged to a worker that died: that statement marks it
-- 'interrupted' — whether the receiver got that request is unknown; the retry sends the same
-- delivery id, so a receiver deduplicating on it keeps one copy. A run that was only slow, not
-- dead, still writes its real outcome over 'interrupted' (the row is completed by its id).
--
-- `at` keeps its meaning (when the row's outcome was written: the outcome's time for delivered and
-- failed, the start for a started row, when the interruption was found for an interrupted one);
-- `started_at` is when the attempt began, NULL for rows written before this migration.

ALTER TABLE dispatch_attempts
  DROP CONSTRAINT dispatch_attempts_outcome_check,
  ADD CONSTRAINT dispatch_attempts_outcome_check CHECK (outcome IN ('started', 'delivered', 'failed', 'interrupted')),
  ADD COLUMN started_at timestamptz;
