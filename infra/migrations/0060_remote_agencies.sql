-- Remote agencies (issue 22): agencies this hub does not serve itself, learned from a peer hub or
-- from the national document exchange axis, kept in the same directory as the local ones.
--
-- alt_code      the agency's other identifier form. Agencies carry two forms in the wild: the
--               Decision 20/2020/QĐ-TTg code (groups read left to right, e.g. G12.18.01) and the
--               older QCVN 102:2016 identifier (ddd.dd.dd.Lnn, read right to left, e.g.
--               000.00.00.G22). `code` stays the form envelopes name the agency by (OrganId);
--               alt_code is the other one when it is known. Both are opaque strings.
-- reached_via   how the agency is reached: served by this hub (`local`), by a peer hub (`peer`,
--               peer_id names it) or through the national axis (`axis`).
-- peer_id       the peer hub that serves the agency (only with reached_via = 'peer').
-- last_seen_at  when a peer or the axis last listed the agency (NULL for local agencies).
ALTER TABLE agencies
  ADD COLUMN alt_code text CHECK (alt_code ~ '^[0-9A-Z.]{1,35}$' AND alt_code <> code),
  ADD COLUMN reached_via text NOT NULL DEFAULT 'local' CHECK (reached_via IN ('local', 'peer', 'axis')),
  ADD COLUMN peer_id text CHECK (peer_id <> ''),
  ADD COLUMN last_seen_at timestamptz,
  ADD CONSTRAINT agencies_peer_id_iff_peer CHECK ((reached_via = 'peer') = (peer_id IS NOT NULL));

CREATE UNIQUE INDEX agencies_alt_code ON agencies (alt_code) WHERE alt_code IS NOT NULL;
CREATE INDEX agencies_remote ON agencies (reached_via, peer_id) WHERE reached_via <> 'local';
