-- Sandbox agencies exchange documents only among themselves, and the mark is the reserved code
-- prefix `SANDBOX.` (what `lienthong sandbox create` hands out): the flag becomes generated from
-- the code, so no writer can set one without the other, and intake tells the two worlds apart from
-- the codes alone (services/domain/agencies/sandbox-rule.ts). Agencies created by 0045's version
-- already carry the prefix and the flag together, so nothing changes for them.
DROP INDEX IF EXISTS agencies_sandbox;
ALTER TABLE agencies DROP COLUMN sandbox;
ALTER TABLE agencies ADD COLUMN sandbox boolean GENERATED ALWAYS AS (code LIKE 'SANDBOX.%') STORED;
CREATE INDEX agencies_sandbox ON agencies (code) WHERE sandbox;
