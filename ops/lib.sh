# Shared by the ops scripts: source it, do not run it.

# "table rows" for every table of the public schema of database URL $1: exact counts, sorted by name.
count_rows() {
  psql -X -At -v ON_ERROR_STOP=1 "$1" <<'SQL'
CREATE TEMP TABLE counts (name text, n bigint);
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename LOOP
    EXECUTE format('INSERT INTO counts SELECT %L, count(*) FROM public.%I', t.tablename, t.tablename);
  END LOOP;
END $$;
SELECT name || ' ' || n FROM counts ORDER BY name;
SQL
}
