-- Issue 25, item 1: the constant functions that PostgreSQL evaluates again for every statement
-- become PL/pgSQL, which it compiles once per connection.
--
-- An IMMUTABLE function called with constant arguments is evaluated by the planner, and a LANGUAGE
-- sql function is parsed, analysed and planned at each evaluation. Where the call sits in a query
-- that is prepared once, that happens once. It does not where PostgreSQL builds the expression for
-- each statement: the stored generated column dispatches.open (0101) is prepared at the start of
-- every INSERT or UPDATE of dispatches, so every copy written parsed `SELECT ARRAY[…]` again (in a
-- profile of the one-page-to-5 benchmark, the parser under ExecInitStoredGenerated). lt_fold() is
-- not inlined into its callers (its body calls unaccent(), which is only STABLE), so each statement
-- that calls it for the search words parsed and planned its body once more.
--
-- Same names, arguments, results, volatility and strictness: the partial indexes and the generated
-- column over the status lists, and agencies_name_fold over lt_fold(), hold the same values and need
-- no rebuild. The lists stay as they were (test/unit/pipeline/sql-statuses.test.ts reads the
-- definition in force and compares it with services/pipeline/stage-order.ts).

CREATE OR REPLACE FUNCTION lienthong_open_dispatch_statuses() RETURNS text[]
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  AS $$ BEGIN RETURN ARRAY['pending', 'delivering']::text[]; END $$;

CREATE OR REPLACE FUNCTION lienthong_in_flight_document_statuses() RETURNS text[]
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  AS $$ BEGIN RETURN ARRAY['accepted', 'converted', 'signed']::text[]; END $$;

CREATE OR REPLACE FUNCTION lt_fold(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS
$$ BEGIN RETURN lower(public.unaccent('public.unaccent'::regdictionary, translate(t, 'đĐ', 'dD'))); END $$;
