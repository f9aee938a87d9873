-- How a branch name is matched (products.store_branch, the sheets' store_name), written once:
-- trimmed, runs of spaces made one, empty as NULL. Clean models and rules all use it, so a
-- name that matches in one place matches in every other.
create function etl.normalize_name(p_name text) returns text
language sql immutable as $$
  select nullif(regexp_replace(btrim(p_name), '\s+', ' ', 'g'), '')
$$;
