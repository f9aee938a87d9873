-- Text trimmed of every kind of blank a keyboard or a copy from a web page leaves: tab, line
-- breaks, no-break space and the other Unicode spaces, zero-width space and byte-order mark
-- (btrim alone trims only the ASCII space).
create function etl.trim_text(p_text text) returns text
language sql immutable parallel safe as $$
  select btrim(p_text, E' \t\n\r\u000b\u000c\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff')
$$;

-- A branch or person's name for matching: trimmed, inner runs of blanks made one space.
create or replace function etl.normalize_name(p_name text) returns text
language sql immutable parallel safe as $$
  select nullif(regexp_replace(etl.trim_text(p_name), E'[\\s\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+', ' ', 'g'), '')
$$;

-- A price typed as text ('$47.00', '$-3.00', '12.5'): NULL unless it is a number that fits
-- numeric(10, 2) as typed, so one mistyped price is a violation of its row, never an overflow
-- that stops the model. More than two decimals (other than trailing zeros) do not parse
-- either: rounding them would change the price silently.
create function etl.parse_price(p_text text) returns numeric(10, 2)
language sql immutable parallel safe as $$
  select case when etl.trim_text(p_text) ~ '^\$?-?[0-9]{1,8}(\.[0-9]{0,2}0*)?$'
              then replace(etl.trim_text(p_text), '$', '')::numeric(10, 2) end
$$;

-- Yes or No (any case) as a boolean; NULL for anything else, which a rule then reports.
create function etl.parse_yes_no(p_text text) returns boolean
language sql immutable parallel safe as $$
  select case lower(etl.trim_text(p_text)) when 'yes' then true when 'no' then false end
$$;

-- Text that a spreadsheet would run as a formula if it were opened in one: it starts with
-- '=', '+', '-' or '@' (or a tab or carriage return before them) and is not a plain number.
-- Such text is kept as it is in the warehouse, and flagged by a rule.
create function etl.looks_like_formula(p_text text) returns boolean
language sql immutable parallel safe as $$
  select coalesce(p_text ~ E'^[\\t\\r]*[=+@-]' and p_text !~ '^[+-]?[0-9]+([.,][0-9]+)?$', false)
$$;
