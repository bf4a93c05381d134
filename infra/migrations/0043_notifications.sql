-- Issue 20: the in-app notification centre. One row per user and event; dedupe_key makes the
-- periodic reminders (due tomorrow, overdue) idempotent. Every insert wakes the pages of that user
-- (NOTIFY lienthong_notification with the user id) and is read by the daily e-mail digest.
CREATE TABLE notifications (
  id          bigserial PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users(id),
  kind        text NOT NULL CHECK (kind IN ('new_document', 'submitted', 'assigned', 'due_tomorrow', 'overdue', 'revoked', 'delivery_failing', 'approval')),
  title       text NOT NULL,
  link        text,
  dispatch_id uuid,
  urgent      boolean NOT NULL DEFAULT false,
  dedupe_key  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  read_at     timestamptz,
  emailed_at  timestamptz
);
CREATE UNIQUE INDEX notifications_dedupe ON notifications (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX notifications_by_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_unmailed ON notifications (user_id) WHERE emailed_at IS NULL;

CREATE FUNCTION notifications_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('lienthong_notification', json_build_object('userId', NEW.user_id, 'id', NEW.id)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER notifications_wake AFTER INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION notifications_wake();

-- Arrival (01) and revocation (13 with the copy revoked, or 15) are recorded by workers, the API
-- and the web alike; a trigger on the timeline tells the recipient's people whatever the path.
-- A new document goes to the văn thư; Hỏa tốc, Thượng khẩn and Khẩn also to the leaders at once.
CREATE FUNCTION notify_dispatch_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  x record;
BEGIN
  IF NEW.code NOT IN ('01', '13', '15') THEN RETURN NULL; END IF;
  SELECT d.id AS document_id, d.number, d.notation, d.subject, d.urgency, s.recipient_code, s.status
    INTO x FROM dispatches s JOIN documents d ON d.id = s.document_id WHERE s.id = NEW.dispatch_id;
  IF NOT FOUND THEN RETURN NULL; END IF;
  IF NEW.code = '01' THEN
    INSERT INTO notifications (user_id, kind, title, link, dispatch_id, urgent, dedupe_key)
    SELECT u.id, 'new_document',
           CASE WHEN x.urgency <> 'normal' THEN 'Văn bản khẩn đến: ' ELSE 'Văn bản mới đến: ' END || x.number || '/' || x.notation || ' — ' || left(x.subject, 200),
           '/inbox/' || NEW.dispatch_id, NEW.dispatch_id, x.urgency <> 'normal', 'arrived:' || NEW.dispatch_id
      FROM users u
     WHERE u.agency_code = x.recipient_code AND u.disabled_at IS NULL
       AND (u.role = 'clerk' OR (u.role = 'leader' AND x.urgency <> 'normal'))
    ON CONFLICT DO NOTHING;
  ELSIF x.status = 'revoked' THEN
    INSERT INTO notifications (user_id, kind, title, link, dispatch_id, urgent, dedupe_key)
    SELECT u.id, 'revoked', 'Văn bản bị thu hồi: ' || x.number || '/' || x.notation || ' — ' || left(x.subject, 200),
           NULL, NEW.dispatch_id, false, 'revoked:' || NEW.dispatch_id
      FROM users u
     WHERE u.agency_code = x.recipient_code AND u.disabled_at IS NULL
       AND (u.role = 'clerk' OR u.id IN (SELECT actor_id FROM incoming_steps WHERE dispatch_id = NEW.dispatch_id)
            OR u.id IN (SELECT handler_user_id FROM incoming_handling WHERE dispatch_id = NEW.dispatch_id)
            OR u.id IN (SELECT user_id FROM incoming_assignees WHERE dispatch_id = NEW.dispatch_id)
            OR u.department_id IN (SELECT department_id FROM incoming_assignees WHERE dispatch_id = NEW.dispatch_id) AND u.role = 'unit_head')
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER notify_dispatch_event AFTER INSERT ON dispatch_events FOR EACH ROW EXECUTE FUNCTION notify_dispatch_event();

-- The days a digest went out, so a restarted worker does not send a second one.
CREATE TABLE digest_runs (
  day     date PRIMARY KEY,
  sent_at timestamptz NOT NULL DEFAULT now(),
  mails   integer NOT NULL
);
