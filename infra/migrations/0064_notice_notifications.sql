-- Issue 16: a certificate about to expire reaches the agency's people through the notification
-- centre (besides agency_notices and the admin page), so the centre knows one more kind.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('new_document', 'submitted', 'assigned', 'due_tomorrow', 'overdue', 'revoked', 'delivery_failing', 'approval', 'certificate_expiring'));
