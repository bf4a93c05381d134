-- Attachments are converted and signed like the main document: `attachment-N` is the delivered
-- (converted, signed) PDF, `attachment-N-source` keeps what the sender uploaded.
ALTER TABLE document_files DROP CONSTRAINT document_files_role_check;
ALTER TABLE document_files ADD CONSTRAINT document_files_role_check
  CHECK (role ~ '^(original|canonical|signed|attachment-[0-9]+(-source)?)$');
