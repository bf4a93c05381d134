-- Which retry budget a push attempt belongs to (its round, "đợt gửi").
--
-- A copy's attempt number counts within its retry budget: an operator retry of a failed copy starts
-- a new budget, and its first attempt is number 1 again. A history of 1, 2, 3, 1, 2 could not say
-- which attempts came after the retry. `round` is 1 for the copy's first budget and grows by one at
-- each budget whose first attempt is written (beginPushAttempt). Together (round, attempt) name an
-- attempt once in the copy's whole history.
--
-- Rows written before this migration get their round from the order they were written in: each
-- row numbered 1 opens a new round (only an operator retry sets the counter back).

ALTER TABLE dispatch_attempts ADD COLUMN round integer;

UPDATE dispatch_attempts a SET round = GREATEST(r.round, 1)
  FROM (SELECT id, count(*) FILTER (WHERE attempt = 1) OVER (PARTITION BY dispatch_id ORDER BY id) AS round FROM dispatch_attempts) r
 WHERE r.id = a.id;

ALTER TABLE dispatch_attempts ALTER COLUMN round SET DEFAULT 1, ALTER COLUMN round SET NOT NULL,
  ADD CONSTRAINT dispatch_attempts_round_positive CHECK (round >= 1);
