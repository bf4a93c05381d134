-- Inbox pages at scale (issue 19, measured at 1,000,000 documents / 5,000,000 copies). The inbox
-- is sorted by (delivered_at DESC, id DESC) and paged by that key; the index of 0037 had id
-- ascending, so every page (and every last page, read backwards) needed a sort step over equal
-- times. This index matches the ORDER BY exactly in both directions, and carries status and
-- document_id so the page's copies and the honest total are index-only scans (the total reads the
-- agency's index range, not one heap page per copy).
CREATE INDEX dispatches_inbox_page ON dispatches (recipient_code, delivered_at DESC, id DESC) INCLUDE (status, document_id)
  WHERE delivered_at IS NOT NULL;
DROP INDEX dispatches_inbox_status;
