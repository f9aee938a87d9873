-- incremental-refresh-first-build

-- 1 of 7
select set_config('paccafe.first_build', 'on', true);

-- 2 of 7, counts inserted
create table "warehouse"."lines" as
       select model_rows.*, etl.current_run_id() as _run_id from (
-- materialized: incremental
-- unique_key: nk_line_id
-- grain: one order line
-- refresh: nk_product_id from warehouse.dim_products by nk_product_id at order_ts unindexed
-- refresh: nk_customer_id, cost from warehouse.dim_customers by nk_customer_id

select l.nk_line_id, l.nk_product_id, l.nk_customer_id, l.order_ts, l.quantity, l.cost
from staging.lines as l
where l.run_id = etl.current_run_id()
) as model_rows;

-- 3 of 7
alter table "warehouse"."lines" alter column "nk_line_id" set not null;

-- 4 of 7
create unique index if not exists "lines__unique_key" on "warehouse"."lines" ("nk_line_id");

-- 5 of 7
create index if not exists "lines__run_id" on "warehouse"."lines"
       using brin (_run_id) with (autosummarize = on);

-- 6 of 7
create index if not exists "lines__nk_customer_id" on "warehouse"."lines" ("nk_customer_id");

-- 7 of 7
drop index if exists "warehouse"."lines__nk_product_id";
