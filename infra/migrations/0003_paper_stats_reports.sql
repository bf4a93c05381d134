-- Paper dispatches, the e-document rate and the quarterly reports (../shared/design.md §4, §5).

-- Documents sent on paper outside the system, recorded by clerks so the rate's denominator is
-- true. Numbers are shared with electronic documents (one yearly register per agency), so a
-- number used by either is refused for the other by the application.
CREATE TABLE paper_documents (
  id            uuid PRIMARY KEY,
  sender_code   text NOT NULL REFERENCES agencies(code),
  document_type text NOT NULL,
  number        text NOT NULL,
  notation      text NOT NULL,
  year          integer NOT NULL,
  issued_on     date NOT NULL,
  subject       text NOT NULL,
  sent_on       date NOT NULL,
  recorded_by   uuid,            -- the API key that recorded it
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (sender_code, year, number)
);
CREATE INDEX paper_documents_by_issue ON paper_documents (issued_on, sender_code);

CREATE TABLE paper_dispatches (
  id                uuid PRIMARY KEY,
  paper_document_id uuid NOT NULL REFERENCES paper_documents(id),
  recipient_code    text NOT NULL REFERENCES agencies(code),
  via_group         text,
  UNIQUE (paper_document_id, recipient_code)
);

-- The rate walks documents by issue date and finds their ledger rows by document.
CREATE INDEX documents_by_issue ON documents (issued_on, sender_code);
CREATE INDEX ledger_by_document ON ledger (document_id, kind) WHERE document_id IS NOT NULL;

-- Working days for on-time processing: Monday–Friday minus these. Operators load the Government's
-- yearly list (Tết and Giỗ Tổ Hùng Vương follow the lunar calendar and the bridging days change
-- every year); only the fixed-date holidays of Labour Code art. 112 are seeded.
CREATE TABLE public_holidays (
  day  date PRIMARY KEY,
  name text NOT NULL
);
INSERT INTO public_holidays (day, name) VALUES
  ('2025-01-01', 'Tết Dương lịch'), ('2025-04-30', 'Ngày Chiến thắng'), ('2025-05-01', 'Ngày Quốc tế lao động'), ('2025-09-02', 'Quốc khánh'),
  ('2026-01-01', 'Tết Dương lịch'), ('2026-04-30', 'Ngày Chiến thắng'), ('2026-05-01', 'Ngày Quốc tế lao động'), ('2026-09-02', 'Quốc khánh'),
  ('2027-01-01', 'Tết Dương lịch'), ('2027-04-30', 'Ngày Chiến thắng'), ('2027-05-01', 'Ngày Quốc tế lao động'), ('2027-09-02', 'Quốc khánh');

-- Quarterly reports, kept once produced. A final report (produced after its quarter ended) exists
-- at most once per quarter and is never replaced; "to date" reports of a running quarter are kept
-- one per day they cover, the latest production of that day winning.
CREATE TABLE quarterly_reports (
  id          bigserial PRIMARY KEY,
  year        integer NOT NULL,
  quarter     smallint NOT NULL CHECK (quarter BETWEEN 1 AND 4),
  final       boolean NOT NULL,
  covers_to   date NOT NULL,
  produced_at timestamptz NOT NULL,
  pdf         bytea NOT NULL,
  csv         text NOT NULL,
  pdf_sha256  text NOT NULL
);
CREATE UNIQUE INDEX quarterly_reports_final ON quarterly_reports (year, quarter) WHERE final;
CREATE UNIQUE INDEX quarterly_reports_to_date ON quarterly_reports (year, quarter, covers_to) WHERE NOT final;
