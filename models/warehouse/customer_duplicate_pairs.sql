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

-- The keys each record is compared by: its own and, for a record this run keyed that changed,
-- the ones it had before (a pair they found is judged again).
with compared_keys as (
    select nk_customer_id, phone_key, email_local_key, _run_id = etl.current_run_id() as touched
    from warehouse.int_customer_match_keys

    union all

    select
        before.nk_customer_id,
        nullif(before.phone_key, now.phone_key),
        nullif(before.email_local_key, now.email_local_key),
        true
    from warehouse.int_customer_match_keys__previous as before
    join warehouse.int_customer_match_keys as now on now.nk_customer_id = before.nk_customer_id
    where before._replaced_in = etl.current_run_id()
),

-- A block is the records that share a key. A run compares the blocks with a record it keyed,
-- of two to five records (more is a placeholder: the cafe's own number, info@). One group-by
-- per kind of key: grouped on the kind and the key together, PostgreSQL sorts every key.
phone_blocks as (
    select
        array_agg(nk_customer_id)                          as members,
        array_agg(nk_customer_id) filter (where touched)   as touched_members
    from compared_keys
    where phone_key is not null
    group by phone_key
    having count(*) between 2 and 5 and bool_or(touched)
),

email_name_blocks as (
    select
        array_agg(nk_customer_id)                          as members,
        array_agg(nk_customer_id) filter (where touched)   as touched_members
    from compared_keys
    where email_local_key is not null
    group by email_local_key
    having count(*) between 2 and 5 and bool_or(touched)
),

blocks as (
    select * from phone_blocks
    union all
    select * from email_name_blocks
),

candidates as (
    select t.customer_id as a, m.customer_id as b
    from blocks
    cross join lateral unnest(blocks.touched_members) as t (customer_id)
    cross join lateral unnest(blocks.members) as m (customer_id)
    where t.customer_id <> m.customer_id

    union

    select customer_id, matched_customer_id
    from dq.customer_match_overrides
),

pairs as (
    select distinct greatest(a, b) as customer_id, least(a, b) as matched_customer_id
    from candidates
),

-- Materialized: the verdict, the score and the reasons each read every agreement.
compared as materialized (
    select
        p.customer_id,
        p.matched_customer_id,
        n.phone_key = m.phone_key                                               as same_phone,
        n.email_local_key = m.email_local_key                                   as same_email_name,
        n.email_domain = m.email_domain                                         as same_email_domain,
        etl.name_part_agreement(n.first_name_key, m.first_name_key)             as first_names,
        etl.name_part_agreement(n.last_name_key, m.last_name_key)               as last_names,
        -- first and last name swapped in one of the records: a last name read as a first name
        least(etl.name_part_agreement(n.first_name_key, coalesce(m_last.canonical, m.last_name_key)),
              etl.name_part_agreement(coalesce(n_last.canonical, n.last_name_key), m.first_name_key)) as swapped_names
    from pairs as p
    join warehouse.int_customer_match_keys as n on n.nk_customer_id = p.customer_id
    join warehouse.int_customer_match_keys as m on m.nk_customer_id = p.matched_customer_id
    left join etl.first_name_nicknames as n_last on n_last.nickname = n.last_name_key
    left join etl.first_name_nicknames as m_last on m_last.nickname = m.last_name_key
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
