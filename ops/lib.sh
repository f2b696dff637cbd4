# Shared by the ops scripts: source it, do not run it.

# "table rows" for every table of the public schema of database URL $1: exact counts, sorted by name.
count_rows() {
  psql -X -q -At -v ON_ERROR_STOP=1 "$1" <<'SQL'
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

# "table rows" for every table of the public schema in the custom-format dump $1, read from the dump
# itself (its COPY blocks: one line a row), in the same form as count_rows. What the dump holds is
# one consistent snapshot (pg_dump reads in a single transaction), so this is what a restore must hold.
dump_rows() {
  pg_restore --data-only --schema=public --file=- "$1" | LC_ALL=C awk '
    /^COPY public\./ { name = $2; sub(/^public\./, "", name); gsub(/"/, "", name); n = 0; copying = 1; next }
    copying && $0 == "\\." { rows[name] = n; copying = 0; next }
    copying { n++ }
    END { for (t in rows) print t, rows[t] }' | LC_ALL=C sort
}

# Same tables as count_rows prints, with 0 for the tables the dump has no COPY block for (empty ones).
dump_rows_all_tables() {
  local dump=$1 tables=$2
  LC_ALL=C join -a 1 -e 0 -o 1.1,2.2 <(LC_ALL=C sort "$tables") <(dump_rows "$dump")
}

# "sha256  relative/path" of every file under directory $1, sorted by path.
file_sums() {
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sed 's#  \./#  #'
}
