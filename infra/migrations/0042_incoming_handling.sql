-- Issue 20: the handling of an incoming copy after registration (Decree 30/2020 art. 24, Appendix
-- IV "phiếu giải quyết văn bản đến"). One row per registered copy holds where it stands; every
-- step (trình, phân công, giao chuyên viên, ghi chú, hoàn thành, chuyển, trả lại) is a row of
-- incoming_steps. The edXML statuses the sender sees stay in dispatch_events.
CREATE TABLE incoming_handling (
  dispatch_id        uuid PRIMARY KEY REFERENCES dispatches(id),
  agency_code        text NOT NULL REFERENCES agencies(code),
  stage              text NOT NULL CHECK (stage IN ('registered', 'submitted', 'assigned', 'in_progress', 'completed')),
  deadline_on        date,
  instruction        text,
  lead_department_id uuid REFERENCES departments(id),
  lead_user_id       uuid REFERENCES users(id),
  handler_user_id    uuid REFERENCES users(id),
  result             text,
  completed_at       timestamptz,
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incoming_handling_open ON incoming_handling (agency_code, stage) WHERE stage <> 'completed';

-- Units that help (phối hợp) and the one in charge (chủ trì, also in incoming_handling).
CREATE TABLE incoming_assignees (
  dispatch_id   uuid NOT NULL REFERENCES dispatches(id),
  role          text NOT NULL CHECK (role IN ('lead', 'support')),
  department_id uuid REFERENCES departments(id),
  user_id       uuid REFERENCES users(id),
  CHECK ((department_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX incoming_assignees_by_dispatch ON incoming_assignees (dispatch_id);
CREATE INDEX incoming_assignees_by_department ON incoming_assignees (department_id) WHERE department_id IS NOT NULL;

CREATE TABLE incoming_steps (
  id           bigserial PRIMARY KEY,
  dispatch_id  uuid NOT NULL REFERENCES dispatches(id),
  at           timestamptz NOT NULL DEFAULT now(),
  actor_id     uuid REFERENCES users(id),
  actor_name   text NOT NULL,
  actor_role   text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('register', 'submit', 'assign', 'assign_person', 'note', 'complete', 'forward', 'return')),
  note         text,
  file_sha256  text REFERENCES blobs(sha256),
  file_name    text
);
CREATE INDEX incoming_steps_by_dispatch ON incoming_steps (dispatch_id, id);

-- THE definition of "quá hạn" for an incoming copy, used by the API, the web pages, the reports
-- and the reminders (services/domain/deadlines/overdue.ts wraps it). A copy nobody can act on any
-- more (completed, refused, revoked, failed, paper) is never overdue. Otherwise it is overdue when
--   'not_registered': it arrived, and no 03 came by the end of the next working day, or
--   'not_completed' : its deadline (the leader's, else the document's due date) has passed without 06.
-- A status that came late ends the overdue state; the on-time figures keep the lateness.
CREATE VIEW dispatch_deadline_facts AS
SELECT x.id AS dispatch_id, x.status, x.channel, x.delivered_at AS arrived_at,
       (SELECT min(e.at) FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '03') AS registered_at,
       (SELECT min(e.at) FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '06') AS completed_at,
       COALESCE(h.deadline_on, d.due_on) AS due_on
  FROM dispatches x JOIN documents d ON d.id = x.document_id LEFT JOIN incoming_handling h ON h.dispatch_id = x.id;

CREATE FUNCTION overdue_reason(p_status text, p_channel text, p_arrived_at timestamptz, p_registered_at timestamptz,
                               p_due_on date, p_completed_at timestamptz, p_now timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN p_status IN ('completed', 'refused', 'revoked', 'failed', 'paper') OR p_channel = 'paper' THEN NULL
    WHEN p_arrived_at IS NOT NULL AND p_registered_at IS NULL AND p_now >= registration_deadline(p_arrived_at) THEN 'not_registered'
    WHEN p_due_on IS NOT NULL AND p_completed_at IS NULL AND p_now >= completion_deadline(p_due_on) THEN 'not_completed'
  END
$$;

-- One dispatch's overdue reason at a moment (NULL = not overdue).
CREATE FUNCTION dispatch_overdue(p_dispatch_id uuid, p_now timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT overdue_reason(f.status, f.channel, f.arrived_at, f.registered_at, f.due_on, f.completed_at, p_now)
    FROM dispatch_deadline_facts f WHERE f.dispatch_id = p_dispatch_id
$$;
