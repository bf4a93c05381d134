-- Issue 20: working days are data. Tết Nguyên đán and Giỗ Tổ Hùng Vương follow the lunar calendar;
-- these rows are the days off the Government usually grants (Tết: the eve and four days after,
-- weekdays only matter), loaded ahead for the coming years. Operators correct them when the
-- yearly decision is published (INSERT/DELETE on public_holidays; nothing is cached).
INSERT INTO public_holidays (day, name) VALUES
  ('2026-02-16', 'Tết Nguyên đán'), ('2026-02-17', 'Tết Nguyên đán'), ('2026-02-18', 'Tết Nguyên đán'), ('2026-02-19', 'Tết Nguyên đán'), ('2026-02-20', 'Tết Nguyên đán'),
  ('2026-04-27', 'Giỗ Tổ Hùng Vương (nghỉ bù)'), ('2026-09-01', 'Quốc khánh'),
  ('2027-02-05', 'Tết Nguyên đán'), ('2027-02-08', 'Tết Nguyên đán'), ('2027-02-09', 'Tết Nguyên đán'), ('2027-02-10', 'Tết Nguyên đán'), ('2027-02-11', 'Tết Nguyên đán'),
  ('2027-04-16', 'Giỗ Tổ Hùng Vương'), ('2027-09-03', 'Quốc khánh'),
  ('2028-01-01', 'Tết Dương lịch'), ('2028-01-25', 'Tết Nguyên đán'), ('2028-01-26', 'Tết Nguyên đán'), ('2028-01-27', 'Tết Nguyên đán'), ('2028-01-28', 'Tết Nguyên đán'), ('2028-01-31', 'Tết Nguyên đán'),
  ('2028-04-04', 'Giỗ Tổ Hùng Vương'), ('2028-04-30', 'Ngày Chiến thắng'), ('2028-05-01', 'Ngày Quốc tế lao động'), ('2028-09-01', 'Quốc khánh'), ('2028-09-02', 'Quốc khánh'),
  ('2029-01-01', 'Tết Dương lịch'), ('2029-02-12', 'Tết Nguyên đán'), ('2029-02-13', 'Tết Nguyên đán'), ('2029-02-14', 'Tết Nguyên đán'), ('2029-02-15', 'Tết Nguyên đán'), ('2029-02-16', 'Tết Nguyên đán'),
  ('2029-04-23', 'Giỗ Tổ Hùng Vương'), ('2029-04-30', 'Ngày Chiến thắng'), ('2029-05-01', 'Ngày Quốc tế lao động'), ('2029-09-02', 'Quốc khánh'), ('2029-09-03', 'Quốc khánh'),
  ('2030-01-01', 'Tết Dương lịch'), ('2030-02-01', 'Tết Nguyên đán'), ('2030-02-04', 'Tết Nguyên đán'), ('2030-02-05', 'Tết Nguyên đán'), ('2030-02-06', 'Tết Nguyên đán'), ('2030-02-07', 'Tết Nguyên đán'),
  ('2030-04-12', 'Giỗ Tổ Hùng Vương'), ('2030-04-30', 'Ngày Chiến thắng'), ('2030-05-01', 'Ngày Quốc tế lao động'), ('2030-09-02', 'Quốc khánh'), ('2030-09-03', 'Quốc khánh')
ON CONFLICT (day) DO NOTHING;

-- The first working day strictly after a day: Monday–Friday, minus public_holidays. The one
-- calendar every deadline uses (overdue marks, reminders, on-time figures).
CREATE FUNCTION next_working_day(p_day date) RETURNS date LANGUAGE sql STABLE AS $$
  SELECT min(g.d)::date FROM generate_series(p_day + 1, p_day + 60, interval '1 day') AS g(d)
   WHERE extract(isodow FROM g.d) < 6 AND NOT EXISTS (SELECT 1 FROM public_holidays h WHERE h.day = g.d::date)
$$;

-- Registration (03) is due by the end of the next working day after the copy arrived (Vietnam time).
CREATE FUNCTION registration_deadline(p_arrived_at timestamptz) RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT (next_working_day((p_arrived_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date) + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'
$$;

-- Completion (06) is due by the end of the deadline day (Vietnam time).
CREATE FUNCTION completion_deadline(p_due_on date) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
  SELECT (p_due_on + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'
$$;
