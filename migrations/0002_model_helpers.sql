-- SQL helpers the model files use, so that each business convention is written once.

-- The batches of the run being built, for one source table. Models call it so that they only
-- read "the rows of the run's batches"; the model runner sets paccafe.run_id per transaction.
create function etl.run_batches(p_table_name text) returns setof text
language sql stable as $$
  select batch_id
  from etl.batches
  where run_id = current_setting('paccafe.run_id', true)
    and table_name = p_table_name
    and status = 'staged'
$$;

-- Stable surrogate keys: a UUID v5 of the table and natural key, so rebuilding a table never
-- renumbers it.
create function warehouse.surrogate_key(p_table_name text, p_natural_key text) returns uuid
language sql immutable as $$
  select public.uuid_generate_v5('6f1d8a52-3c4b-4e8f-9a61-0c2b7d5e9f10'::uuid, p_table_name || '|' || p_natural_key)
$$;

-- The value a column takes after its row's verdict: the nullify replacement if the column was
-- nullified, else the fixed value if a fix rule corrected it, else the value itself.
-- (Order of application is fix, then nullify, so a nullify wins.)
create function dq.verdict_value(p_nullified jsonb, p_fixed jsonb, p_column text, p_value anyelement)
returns anyelement
language plpgsql immutable as $$
begin
  if p_nullified ? p_column then
    return p_nullified ->> p_column;
  elsif p_fixed ? p_column then
    return p_fixed ->> p_column;
  end if;
  return p_value;
end
$$;
