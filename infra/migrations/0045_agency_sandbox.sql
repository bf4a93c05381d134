-- Sandbox agencies (lienthong sandbox create): test agencies a vendor connects its system to on a
-- running instance. They are marked, named "[THỬ NGHIỆM] …", and left out of every statistic (the
-- e-document rate, on-time processing, the quarterly report).
ALTER TABLE agencies ADD COLUMN sandbox boolean NOT NULL DEFAULT false;
CREATE INDEX agencies_sandbox ON agencies (code) WHERE sandbox;
