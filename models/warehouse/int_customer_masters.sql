-- materialized: incremental
-- unique_key: nk_customer_id
-- previous_versions: kept
-- grain: one customer record and the merged customer it belongs to, unknown and walk-in included
--
-- Duplicate groups are the records connected by matching pairs (customer_duplicate_pairs), and
-- a group's customer_master_id is its oldest record's id: the POS numbers customers as they
-- register, so a new record never renumbers a group, and when two groups join the older id
-- wins (customer_master_changes records it). A run groups again only the records it keyed and
-- those of the pairs it judged, with everything connected to them.

with recursive touched as (
    select nk_customer_id from warehouse.int_customer_match_keys
    where _run_id = etl.current_run_id() or etl.is_first_build()

    union

    select customer_id from warehouse.customer_duplicate_pairs where _run_id = etl.current_run_id()

    union

    select matched_customer_id from warehouse.customer_duplicate_pairs where _run_id = etl.current_run_id()
),

links as (
    select customer_id as from_id, matched_customer_id as to_id
    from warehouse.customer_duplicate_pairs where is_match

    union all

    select matched_customer_id, customer_id
    from warehouse.customer_duplicate_pairs where is_match
),

-- Every record each touched record reaches through matching pairs (itself included).
reached (start_id, reached_id) as (
    select nk_customer_id, nk_customer_id from touched

    union

    select r.start_id, l.to_id
    from reached as r
    join links as l on l.from_id = r.reached_id
),

groups as (
    select start_id, min(reached_id) as customer_master_id, count(*)::integer as group_size
    from reached
    group by start_id
),

-- Every record of a touched group, those the run did not touch included (a record that left
-- the group takes its members with it).
members as (
    select distinct r.reached_id as nk_customer_id, g.customer_master_id, g.group_size
    from reached as r
    join groups as g on g.start_id = r.start_id
),

special_members as (
    select -1 as nk_customer_id, -1 as customer_master_id, 1 as group_size
    union all
    select -2, -2, 1
)

select
    warehouse.surrogate_key('dim_customers', nk_customer_id::text)     as sk_customer_id,
    nk_customer_id,
    customer_master_id,
    group_size
from (select * from members union all select * from special_members) as members
