-- Duplicate customers (docs/duplicate-customers.md): the helpers that turn a customer's name,
-- phone and email into match keys, the nicknames that name the same first name, and the list of
-- pairs a person declared to be, or not to be, the same customer.
create extension if not exists pg_trgm with schema public;
create extension if not exists fuzzystrmatch with schema public;

-- A name as it is compared: lower case, accents taken off, letters only ('  De la Cruz ' ->
-- 'delacruz', 'José' -> 'jose'), NULL when nothing is left.
create function etl.match_name(p_name text) returns text
language sql immutable parallel safe as $$
  select nullif(regexp_replace(
    translate(lower(p_name),
              'àáâãäåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõöøōœŕřśšşťùúûüūůűųýÿźżž',
              'aaaaaaaaacccdeeeeeeeeiiiiiilnnnooooooooorrsssstuuuuuuuuyyzzz'),
    '[^a-z]', '', 'g'), '')
$$;

-- A phone number's national digits: the country prefix (62, Indonesia) or the trunk zero taken
-- off, so '+62 812-3456-7890' and '0812 3456 7890' agree. Fewer than nine digits say nothing.
create function etl.match_phone(p_phone text) returns text
language sql immutable parallel safe as $$
  select case when length(d) < 9 then null
              when d like '62%' and length(d) >= 11 then substr(d, 3)
              when d like '0%' then substr(d, 2)
              else d end
  from (select regexp_replace(coalesce(p_phone, ''), '[^0-9]', '', 'g') as d) as digits
$$;

-- An email's local part as a person's handle: lower case, a '+tag' and dots taken off
-- ('Maria.Garcia+cafe@x' -> 'mariagarcia'). Shared mailboxes (info@, admin@) say nothing.
create function etl.match_email_local(p_email text) returns text
language sql immutable parallel safe as $$
  select case when l in ('', 'info', 'admin', 'contact', 'hello', 'mail', 'noreply', 'office', 'test', 'sales')
              then null else l end
  from (select replace(split_part(split_part(lower(btrim(p_email)), '@', 1), '+', 1), '.', '') as l) as local_part
$$;

-- Common English nicknames and the first name they stand for ('bob' is 'robert'). Matching
-- compares first names after this mapping.
create table etl.first_name_nicknames (
    nickname  text primary key,
    canonical text not null
);

insert into etl.first_name_nicknames (nickname, canonical) values
  ('abby', 'abigail'), ('al', 'albert'), ('alex', 'alexander'), ('andy', 'andrew'), ('ben', 'benjamin'),
  ('beth', 'elizabeth'), ('betty', 'elizabeth'), ('bill', 'william'), ('billy', 'william'), ('bob', 'robert'),
  ('bobby', 'robert'), ('cathy', 'catherine'), ('chris', 'christopher'), ('chuck', 'charles'), ('dan', 'daniel'),
  ('danny', 'daniel'), ('dave', 'david'), ('debbie', 'deborah'), ('dick', 'richard'), ('don', 'donald'),
  ('ed', 'edward'), ('eddie', 'edward'), ('fred', 'frederick'), ('greg', 'gregory'), ('jack', 'john'),
  ('jake', 'jacob'), ('jeff', 'jeffrey'), ('jen', 'jennifer'), ('jenny', 'jennifer'), ('jim', 'james'),
  ('jimmy', 'james'), ('joe', 'joseph'), ('joey', 'joseph'), ('johnny', 'john'), ('jon', 'jonathan'),
  ('kate', 'katherine'), ('katie', 'katherine'), ('ken', 'kenneth'), ('kim', 'kimberly'), ('larry', 'lawrence'),
  ('liz', 'elizabeth'), ('maggie', 'margaret'), ('matt', 'matthew'), ('meg', 'margaret'), ('mike', 'michael'),
  ('nick', 'nicholas'), ('pam', 'pamela'), ('pat', 'patricia'), ('peggy', 'margaret'), ('pete', 'peter'),
  ('rick', 'richard'), ('rob', 'robert'), ('ron', 'ronald'), ('sam', 'samuel'), ('sandy', 'sandra'),
  ('steve', 'steven'), ('sue', 'susan'), ('ted', 'edward'), ('tim', 'timothy'), ('tom', 'thomas'),
  ('tommy', 'thomas'), ('tony', 'anthony'), ('vicky', 'victoria'), ('will', 'william');

-- A first name as it is compared: its match_name, a nickname replaced by the name it stands for.
create function etl.match_first_name(p_name text) returns text
language sql stable parallel safe as $$
  select coalesce((select canonical from etl.first_name_nicknames where nickname = etl.match_name(p_name)),
                  etl.match_name(p_name))
$$;

-- How well two name parts agree, 0 to 1: the same (1), an initial of the other (0.9), one or
-- two typing slips apart (0.8: letters changed, dropped, doubled or swapped; one slip for names
-- under seven letters, none under four), else their trigram similarity.
create function etl.name_part_agreement(p_a text, p_b text) returns numeric
language sql immutable parallel safe as $$
  select case
    when p_a is null or p_b is null then 0
    when p_a = p_b then 1
    when (length(p_a) = 1 and left(p_b, 1) = p_a) or (length(p_b) = 1 and left(p_a, 1) = p_b) then 0.9
    when least(length(p_a), length(p_b)) >= 4
         and levenshtein(p_a, p_b) <= case when least(length(p_a), length(p_b)) >= 7 then 2 else 1 end then 0.8
    when least(length(p_a), length(p_b)) >= 4 and length(p_a) = length(p_b)
         and levenshtein(p_a, p_b) = 2
         and (select string_agg(c, '' order by c) from regexp_split_to_table(p_a, '') as c)
           = (select string_agg(c, '' order by c) from regexp_split_to_table(p_b, '') as c) then 0.8
    else round(similarity(p_a, p_b)::numeric, 3)
  end
$$;

-- Pairs of customers a person has declared to be the same customer (same_person) or not, with
-- why. The next run's matching applies them over its own judgement (paccafe duplicates).
create table dq.customer_match_overrides (
    customer_id          integer     not null,
    matched_customer_id  integer     not null,
    same_person          boolean     not null,
    note                 text,
    decided_by           text        not null default current_user,
    decided_at           timestamptz not null default now(),
    primary key (customer_id, matched_customer_id),
    -- a pair is written newer id first, once
    check (customer_id > matched_customer_id)
);
