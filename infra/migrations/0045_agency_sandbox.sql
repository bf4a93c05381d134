-- Sandbox agencies (lienthong sandbox create): test agencies a vendor connects its system to on a
-- running instance. They are marked, named "[THỬ NGHIỆM] …", left out of every statistic (the
-- e-document rate, on-time processing, the quarterly report), and exchange documents only among
-- themselves. The mark is the reserved code prefix `SANDBOX.`, so no writer can set one without
-- the other, and intake tells the two worlds apart from the codes alone
-- (services/domain/agencies/sandbox-rule.ts).
ALTER TABLE agencies ADD COLUMN sandbox boolean GENERATED ALWAYS AS (code LIKE 'SANDBOX.%') STORED;
CREATE INDEX agencies_sandbox ON agencies (code) WHERE sandbox;
