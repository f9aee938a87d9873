-- Duplicate matching's helpers, giving the same keys as in 0022, written so that a model calling
-- them on every customer does not pay a SQL function's call per row: PostgreSQL inlines a SQL
-- function only when its body is one expression, so the ones that name a value twice, or read a
-- table, become PL/pgSQL (its simple expressions are evaluated without a query each). The
-- nickname lookup moves into the match keys model, as a join.

-- A name as it is compared (as in 0022). Accents are translated only in a name that has a
-- character beyond ASCII: translating costs more than the rest together.
create or replace function etl.match_name(p_name text) returns text
language sql immutable parallel safe as $$
  select nullif(regexp_replace(
    case when octet_length(p_name) = length(p_name) then lower(p_name)
         else translate(lower(p_name),
                        'àáâãäåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõöøōœŕřśšşťùúûüūůűųýÿźżž',
                        'aaaaaaaaacccdeeeeeeeeiiiiiilnnnooooooooorrsssstuuuuuuuuyyzzz') end,
    '[^a-z]', '', 'g'), '')
$$;

create or replace function etl.match_phone(p_phone text) returns text
language plpgsql immutable parallel safe as $$
declare
  d text := regexp_replace(coalesce(p_phone, ''), '[^0-9]', '', 'g');
begin
  return case when length(d) < 9 then null
              when d like '62%' and length(d) >= 11 then substr(d, 3)
              when d like '0%' then substr(d, 2)
              else d end;
end
$$;

create or replace function etl.match_email_local(p_email text) returns text
language plpgsql immutable parallel safe as $$
declare
  l text := replace(split_part(split_part(lower(btrim(p_email)), '@', 1), '+', 1), '.', '');
begin
  return case when l in ('', 'info', 'admin', 'contact', 'hello', 'mail', 'noreply', 'office', 'test', 'sales')
              then null else l end;
end
$$;

drop function etl.match_first_name(text);

-- How well two name parts agree, 0 to 1, as in 0022: the same (1), an initial of the other
-- (0.9), one or two typing slips apart (0.8), else their trigram similarity.
create or replace function etl.name_part_agreement(p_a text, p_b text) returns numeric
language plpgsql immutable parallel safe as $$
declare
  shorter integer := least(length(p_a), length(p_b));
begin
  if p_a is null or p_b is null then
    return 0;
  elsif p_a = p_b then
    return 1;
  elsif (length(p_a) = 1 and left(p_b, 1) = p_a) or (length(p_b) = 1 and left(p_a, 1) = p_b) then
    return 0.9;
  -- letters changed, dropped or doubled: one slip for names under seven letters, none under four
  elsif shorter >= 4 and levenshtein(p_a, p_b) <= (case when shorter >= 7 then 2 else 1 end) then
    return 0.8;
  -- two letters swapped: two edits apart, the same letters
  elsif shorter >= 4 and length(p_a) = length(p_b) and levenshtein(p_a, p_b) = 2
        and array(select c from unnest(string_to_array(p_a, null)) as c order by c)
          = array(select c from unnest(string_to_array(p_b, null)) as c order by c) then
    return 0.8;
  end if;
  return round(similarity(p_a, p_b)::numeric, 3);
end
$$;

-- int_customer_masters now holds only the records matching compared (the others are groups of
-- their own), and int_customers the keys of every record. The old table is dropped, so that its
-- next build is a first build, which groups every compared record again with the same ids.
drop table if exists warehouse.int_customer_masters__previous;
drop table if exists warehouse.int_customer_masters;
