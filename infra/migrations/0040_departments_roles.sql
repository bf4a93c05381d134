-- Issue 20: people and units inside an agency. Departments (phòng, ban, đơn vị) belong to one
-- agency; users get two more roles — unit_head (lãnh đạo phòng) and specialist (chuyên viên) —
-- and may belong to a department. An e-mail address receives the daily digest.
CREATE TABLE departments (
  id          uuid PRIMARY KEY,
  agency_code text NOT NULL REFERENCES agencies(code),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind        text NOT NULL DEFAULT 'phong' CHECK (kind IN ('phong', 'ban', 'don_vi')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);
CREATE UNIQUE INDEX departments_name ON departments (agency_code, lower(name));

ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('clerk', 'leader', 'unit_head', 'specialist', 'monitor', 'admin'));
ALTER TABLE users ADD COLUMN department_id uuid REFERENCES departments(id);
ALTER TABLE users ADD COLUMN email text CHECK (email IS NULL OR email ~ '^[^@\s]+@[^@\s]+$');
CREATE INDEX users_by_department ON users (department_id) WHERE department_id IS NOT NULL;
