-- dq.verdict_value as plain SQL functions, one per column type, instead of one polymorphic
-- PL/pgSQL function: PostgreSQL inlines a simple SQL function into the query, where a PL/pgSQL
-- call goes through the function executor for every row and column.
-- Same meaning: a nullified column takes its replacement, else a fixed column its corrected
-- value, else the value itself (fix is applied before nullify, so a nullify wins).
drop function dq.verdict_value(jsonb, jsonb, text, anyelement);

create function dq.verdict_value(p_nullified jsonb, p_fixed jsonb, p_column text, p_value text) returns text
language sql immutable as $$
  select case when p_nullified ? p_column then p_nullified ->> p_column
              when p_fixed ? p_column then p_fixed ->> p_column
              else p_value end
$$;

create function dq.verdict_value(p_nullified jsonb, p_fixed jsonb, p_column text, p_value integer) returns integer
language sql immutable as $$
  select case when p_nullified ? p_column then (p_nullified ->> p_column)::integer
              when p_fixed ? p_column then (p_fixed ->> p_column)::integer
              else p_value end
$$;

create function dq.verdict_value(p_nullified jsonb, p_fixed jsonb, p_column text, p_value numeric) returns numeric
language sql immutable as $$
  select case when p_nullified ? p_column then (p_nullified ->> p_column)::numeric
              when p_fixed ? p_column then (p_fixed ->> p_column)::numeric
              else p_value end
$$;

create function dq.verdict_value(p_nullified jsonb, p_fixed jsonb, p_column text, p_value date) returns date
language sql immutable as $$
  select case when p_nullified ? p_column then (p_nullified ->> p_column)::date
              when p_fixed ? p_column then (p_fixed ->> p_column)::date
              else p_value end
$$;

create function dq.verdict_value(p_nullified jsonb, p_fixed jsonb, p_column text, p_value timestamp) returns timestamp
language sql immutable as $$
  select case when p_nullified ? p_column then (p_nullified ->> p_column)::timestamp
              when p_fixed ? p_column then (p_fixed ->> p_column)::timestamp
              else p_value end
$$;
