-- warehouse.date_id in date arithmetic instead of to_char. to_char is only stable (it reads the
-- locale), so the immutable date_id that called it was never inlined: each call went through
-- the SQL function executor, row by row. Same value for every timestamp, NULL for NULL.
create or replace function warehouse.date_id(p_local timestamp) returns integer
language sql immutable as $$
  select (date_part('year', p_local) * 10000 + date_part('month', p_local) * 100 + date_part('day', p_local))::integer
$$;
