-- materialized: table
-- grain: one product, branch and local day, from the product's first activity to the last day with data
--
-- Stock on hand (docs/warehouse.md), defined here only: the latest physical count on or
-- before the day, plus restocks, minus waste and units sold (lines of Completed orders) since
-- that count. A count is taken after closing, so it already includes its own day. Before the
-- first count the opening balance is 0; a negative result is kept and flagged, not hidden.

with flows as (
    select nk_product_id, sk_store_id, day,
           sum(restocked)::integer as restocked, sum(wasted)::integer as wasted, sum(sold)::integer as sold
    from (
        select nk_product_id, sk_store_id, change_ts::date as day,
               greatest(quantity, 0) as restocked, greatest(-quantity, 0) as wasted, 0 as sold
        from warehouse.fct_inventory_movements
        where nk_product_id is not null and change_ts is not null
        union all
        select nk_product_id, sk_store_id, day, 0, 0, sold
        from warehouse.int_daily_units_sold
        where nk_product_id is not null
    ) as movements_and_sales
    group by nk_product_id, sk_store_id, day
),

-- A product's stock is kept at its branch, where its movements and sales are (the product
-- version's), so a count is placed there too, whichever branch the sheet typed.
counts as (
    select c.nk_product_id, p.sk_store_id, c.count_date as day, c.counted_qty
    from warehouse.int_stock_counts as c
    join warehouse.dim_products as p on p.sk_product_id = c.sk_product_id
    where c.nk_product_id is not null
),

activity as (
    select nk_product_id, sk_store_id, day from flows
    union
    select nk_product_id, sk_store_id, day from counts
),

series as (
    select nk_product_id, sk_store_id, min(day) as first_day
    from activity
    group by nk_product_id, sk_store_id
),

days as (
    select s.nk_product_id, s.sk_store_id, day::date as day
    from series as s
    cross join (select max(day) as last_day from activity) as bounds
    cross join generate_series(s.first_day, bounds.last_day, interval '1 day') as day
),

ledger as (
    select
        d.nk_product_id,
        d.sk_store_id,
        d.day,
        coalesce(f.restocked, 0)                                              as restocked,
        coalesce(f.wasted, 0)                                                 as wasted,
        coalesce(f.sold, 0)                                                   as sold,
        c.counted_qty,
        (sum(coalesce(f.restocked, 0) - coalesce(f.wasted, 0) - coalesce(f.sold, 0)) over running)::integer as change_to_date,
        -- Each count starts a new group of days that it anchors.
        count(c.counted_qty) over running                                     as counts_to_date
    from days as d
    left join flows as f using (nk_product_id, sk_store_id, day)
    left join counts as c using (nk_product_id, sk_store_id, day)
    window running as (partition by d.nk_product_id, d.sk_store_id order by d.day)
),

anchored as (
    select
        ledger.*,
        first_value(counted_qty) over anchor       as anchor_qty,
        first_value(change_to_date) over anchor    as anchor_change,
        first_value(day) over anchor               as anchor_day
    from ledger
    window anchor as (partition by nk_product_id, sk_store_id, counts_to_date order by day)
)

select
    nk_product_id,
    sk_store_id,
    day,
    warehouse.date_id(day)                                               as date_id,
    restocked,
    wasted,
    sold,
    counted_qty,
    case when counts_to_date = 0 then null else anchor_day end           as last_count_date,
    case when counts_to_date = 0 then change_to_date
         else anchor_qty + change_to_date - anchor_change end            as stock_on_hand
from anchored
