-- A document may arrive as a structured body to render per Decree 30 (no file), or as a file of
-- any supported type (PDF, DOCX, HTML, Markdown, text, PNG/JPEG scans) that the convert stage
-- turns into the canonical PDF.
ALTER TABLE documents ADD COLUMN body jsonb, ADD COLUMN source_type text;
