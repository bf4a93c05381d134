-- What the sign stage produced (PAdES level B-T, or B-B when the TSA policy allowed it) and what
-- the intake found in a PDF that arrived already signed.
ALTER TABLE documents
  ADD COLUMN signature_level text CHECK (signature_level IN ('B-B', 'B-T')),
  ADD COLUMN signature_note text,
  ADD COLUMN incoming_signature jsonb;
