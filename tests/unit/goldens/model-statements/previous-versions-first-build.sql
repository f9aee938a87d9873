-- previous-versions-first-build

-- 1 of 9
select set_config('paccafe.first_build', 'on', true);

-- 2 of 9, counts inserted
create table "warehouse"."orders" as
       select model_rows.*, etl.current_run_id() as _run_id from (
-- materialized: incremental
-- unique_key: order_id
-- publishes: orders
-- previous_versions: kept
-- refresh: region from warehouse.regions by customer

select o.order_id, o.customer, o.amount, r.region
from staging.order_rows as o
left join warehouse.regions as r on r.customer = o.customer
where o.run_id = etl.current_run_id()
) as model_rows;

-- 3 of 9
alter table "warehouse"."orders" alter column "order_id" set not null;

-- 4 of 9
create unique index if not exists "orders__unique_key" on "warehouse"."orders" ("order_id");

-- 5 of 9
create index if not exists "orders__run_id" on "warehouse"."orders"
       using brin (_run_id) with (autosummarize = on);

-- 6 of 9
create index if not exists "orders__customer" on "warehouse"."orders" ("customer");

-- 7 of 9
drop table if exists "warehouse"."orders__previous";

-- 8 of 9
create table "warehouse"."orders__previous" (like "warehouse"."orders", _replaced_in text);

-- 9 of 9
create index "orders__previous__replaced_in" on "warehouse"."orders__previous" (_replaced_in);
