-- materialized: incremental
-- unique_key: nk_customer_id
-- grain: one customer record that matching compared with another, and the merged customer it belongs to
--
-- Duplicate groups are the records connected by matching pairs (customer_duplicate_pairs), and
-- a group's customer_master_id is its oldest record's id: the POS numbers customers as they
-- register, so a new record never renumbers a group, and when two groups join the older id
-- wins. A record no pair names is a group of its own and has no row here (int_customers gives
-- it its own id). A run groups again the records of the pairs it judged, with everything
-- connected to them; a record whose pair no longer matches keeps its row, as its own group.

with recursive touched as (
    select customer_id as nk_customer_id from warehouse.customer_duplicate_pairs
    where _run_id = etl.current_run_id() or etl.is_first_build()

    union

    select matched_customer_id from warehouse.customer_duplicate_pairs
    where _run_id = etl.current_run_id() or etl.is_first_build()
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
)

-- Every record of a touched group, those the run did not touch included (a record that left
-- the group takes its members with it).
select distinct
    r.reached_id            as nk_customer_id,
    g.customer_master_id,
    g.group_size
from reached as r
join groups as g on g.start_id = r.start_id
