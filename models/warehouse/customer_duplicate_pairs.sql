-- materialized: incremental
-- unique_key: pair_key
-- grain: one pair of customer records that matching compared, newer record first, with its verdict
--
-- Duplicate customers, judged pair by pair (docs/duplicate-customers.md). Only records that
-- share a key are compared (blocking): the same phone (national digits) or the same email
-- name (the local part). A key shared by more than five records is a placeholder (the cafe's
-- own number, info@) and compares nothing. A run compares the records it keyed, against all
-- others, by their new keys and by the keys they had before; pairs a person declared (in
-- dq.customer_match_overrides) take the person's verdict instead.
--
-- A pair is the same person when the names agree, part by part (first with first and last with
-- last, or swapped), each at least 0.5 (etl.name_part_agreement: typos, initials, nicknames),
-- and a way of reaching them agrees (phone or email name). A shared phone with another first
-- name is a household; a shared name with nothing else is a common name.

with keys as (
    select * from warehouse.int_customer_match_keys
),

keyed_this_run as (
    select * from keys where _run_id = etl.current_run_id()
),

-- The keys this run replaced: pairs found by them are judged again.
keys_before as (
    select * from warehouse.int_customer_match_keys__previous
    where _replaced_in = etl.current_run_id()
),

crowded_phones as (
    select phone_key from keys where phone_key is not null group by phone_key having count(*) > 5
),

crowded_email_names as (
    select email_local_key from keys where email_local_key is not null group by email_local_key having count(*) > 5
),

compared_keys as (
    select nk_customer_id, phone_key, email_local_key from keyed_this_run
    union
    select nk_customer_id, phone_key, email_local_key from keys_before
),

candidates as (
    select c.nk_customer_id as a, k.nk_customer_id as b
    from compared_keys as c
    join keys as k on k.phone_key = c.phone_key and k.nk_customer_id <> c.nk_customer_id
    where c.phone_key not in (select phone_key from crowded_phones)

    union

    select c.nk_customer_id, k.nk_customer_id
    from compared_keys as c
    join keys as k on k.email_local_key = c.email_local_key and k.nk_customer_id <> c.nk_customer_id
    where c.email_local_key not in (select email_local_key from crowded_email_names)

    union

    select customer_id, matched_customer_id
    from dq.customer_match_overrides
),

pairs as (
    select distinct greatest(a, b) as customer_id, least(a, b) as matched_customer_id
    from candidates
),

compared as (
    select
        p.customer_id,
        p.matched_customer_id,
        n.phone_key = m.phone_key                                               as same_phone,
        n.email_local_key = m.email_local_key                                   as same_email_name,
        n.email_domain = m.email_domain                                         as same_email_domain,
        etl.name_part_agreement(n.first_name_key, m.first_name_key)             as first_names,
        etl.name_part_agreement(n.last_name_key, m.last_name_key)               as last_names,
        -- first and last name swapped in one of the records
        least(etl.name_part_agreement(n.first_name_key, m.last_name_key),
              etl.name_part_agreement(n.last_name_key, m.first_name_key))       as swapped_names
    from pairs as p
    join keys as n on n.nk_customer_id = p.customer_id
    join keys as m on m.nk_customer_id = p.matched_customer_id
),

judged as (
    select
        c.*,
        greatest(least(c.first_names, c.last_names), c.swapped_names) >= 0.5
            and (coalesce(c.same_phone, false) or coalesce(c.same_email_name, false))  as rules_match,
        greatest((c.first_names + c.last_names) / 2, c.swapped_names)                   as name_score
    from compared as c
)

select
    j.customer_id || '-' || j.matched_customer_id                               as pair_key,
    j.customer_id,
    j.matched_customer_id,
    coalesce(o.same_person, j.rules_match)                                       as is_match,
    round(0.5 * j.name_score
          + 0.3 * coalesce(j.same_phone, false)::int
          + 0.2 * coalesce(j.same_email_name, false)::int, 3)                    as score,
    array_remove(array[
        case when j.same_phone then 'same phone' end,
        case when j.same_email_name then 'same email name' end,
        case when j.same_email_domain then 'same email domain' end,
        case when j.swapped_names > least(j.first_names, j.last_names)
             then format('names swapped (%s)', j.swapped_names)
             else format('first names %s, last names %s', j.first_names, j.last_names) end,
        case when o.same_person then format('declared the same person by %s', o.decided_by)
             when not o.same_person then format('declared different people by %s', o.decided_by) end
    ], null)                                                                     as reasons,
    case when o.same_person is not null then 'override' else 'rules' end         as decided_by
from judged as j
left join dq.customer_match_overrides as o
    on o.customer_id = j.customer_id and o.matched_customer_id = j.matched_customer_id
