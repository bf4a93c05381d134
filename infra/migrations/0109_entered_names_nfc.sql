-- Names people typed before they were kept in Unicode NFC (register books, departments, saved
-- searches, display names), brought to NFC.
--
-- Since the application stores typed names in NFC (services/domain/names/entered-name.ts), "Sổ"
-- typed decomposed (o + U+031B + U+0309, as some keyboards and macOS send it) is the same name as
-- "Sổ" typed composed. A name stored decomposed before then would not match its composed twin:
-- the "name exists" checks (unique keys compare bytes) let a second, identical-looking book,
-- department or saved search be created beside it. Each such name is now composed. Where the
-- composed name is taken already (the look-alike was created), the row that has it keeps it and the
-- decomposed one becomes "<name> (2)" (or the next free number), so the two can be told apart and
-- an administrator can merge or rename them. Display names have no unique key: composed as they are.
--
-- normalize() and IS NFC NORMALIZED need a UTF8 database; on any other encoding nothing is done.

DO $$
DECLARE
  r record;
  v_name text;
  v_n int;
BEGIN
  IF current_setting('server_encoding') <> 'UTF8' THEN
    RAISE NOTICE 'database encoding is not UTF8: typed names left as stored';
    RETURN;
  END IF;

  UPDATE users SET full_name = normalize(full_name, NFC) WHERE full_name IS NOT NFC NORMALIZED;

  FOR r IN SELECT id, agency_code, kind, name FROM register_books WHERE name IS NOT NFC NORMALIZED ORDER BY id LOOP
    v_name := normalize(r.name, NFC);
    v_n := 1;
    WHILE EXISTS (SELECT 1 FROM register_books b WHERE b.agency_code = r.agency_code AND b.kind = r.kind AND b.name = v_name AND b.id <> r.id) LOOP
      v_n := v_n + 1;
      v_name := left(normalize(r.name, NFC), 200 - length(' (' || v_n || ')')) || ' (' || v_n || ')';
    END LOOP;
    UPDATE register_books SET name = v_name WHERE id = r.id;
  END LOOP;

  FOR r IN SELECT id, agency_code, name FROM departments WHERE name IS NOT NFC NORMALIZED ORDER BY id LOOP
    v_name := normalize(r.name, NFC);
    v_n := 1;
    WHILE EXISTS (SELECT 1 FROM departments p WHERE p.agency_code = r.agency_code AND lower(p.name) = lower(v_name) AND p.id <> r.id) LOOP
      v_n := v_n + 1;
      v_name := left(normalize(r.name, NFC), 200 - length(' (' || v_n || ')')) || ' (' || v_n || ')';
    END LOOP;
    UPDATE departments SET name = v_name WHERE id = r.id;
  END LOOP;

  FOR r IN SELECT id, user_id, name FROM saved_searches WHERE name IS NOT NFC NORMALIZED ORDER BY id LOOP
    v_name := normalize(r.name, NFC);
    v_n := 1;
    WHILE EXISTS (SELECT 1 FROM saved_searches s WHERE s.user_id = r.user_id AND s.name = v_name AND s.id <> r.id) LOOP
      v_n := v_n + 1;
      v_name := left(normalize(r.name, NFC), 100 - length(' (' || v_n || ')')) || ' (' || v_n || ')';
    END LOOP;
    UPDATE saved_searches SET name = v_name WHERE id = r.id;
  END LOOP;
END $$;
