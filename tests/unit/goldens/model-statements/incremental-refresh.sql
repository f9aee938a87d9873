-- incremental-refresh

-- 1 of 7
create unique index if not exists "lines__unique_key" on "warehouse"."lines" ("nk_line_id");

-- 2 of 7
create index if not exists "lines__run_id" on "warehouse"."lines"
       using brin (_run_id) with (autosummarize = on);

-- 3 of 7
create index if not exists "lines__nk_customer_id" on "warehouse"."lines" ("nk_customer_id");

-- 4 of 7
drop index if exists "warehouse"."lines__nk_product_id";

-- 5 of 7, counts merge
with model_rows as (
-- materialized: incremental
-- unique_key: nk_line_id
-- grain: one order line
-- refresh: nk_product_id from warehouse.dim_products by nk_product_id at order_ts unindexed
-- refresh: nk_customer_id, cost from warehouse.dim_customers by nk_customer_id

select l.nk_line_id, l.nk_product_id, l.nk_customer_id, l.order_ts, l.quantity, l.cost
from staging.lines as l
where l.run_id = etl.current_run_id()
),
     merged as (
       insert into "warehouse"."lines" as t ("nk_line_id", "nk_product_id", "nk_customer_id", "order_ts", "quantity", "cost", _run_id)
       select "nk_line_id", "nk_product_id", "nk_customer_id", "order_ts", "quantity", "cost", etl.current_run_id() from model_rows
       on conflict ("nk_line_id") do update
         set "nk_product_id" = excluded."nk_product_id", "nk_customer_id" = excluded."nk_customer_id", "order_ts" = excluded."order_ts", "quantity" = excluded."quantity", "cost" = excluded."cost", "_run_id" = excluded."_run_id"
         where (t."nk_product_id", t."nk_customer_id", t."order_ts", t."quantity", t."cost") is distinct from (excluded."nk_product_id", excluded."nk_customer_id", excluded."order_ts", excluded."quantity", excluded."cost")
       returning (xmax = 0) as inserted
     )
     select (select count(*) from model_rows)::int as selected,
            count(*) filter (where inserted)::int as inserted,
            count(*) filter (where not inserted)::int as updated
     from merged;

-- 6 of 7, counts updated
update "warehouse"."lines" as t
         set "nk_product_id" = s."nk_product_id", _run_id = etl.current_run_id()
         from warehouse.dim_products as s
         where s."nk_product_id" = t."nk_product_id" and s._run_id = etl.current_run_id()
           and t."order_ts" >= s.valid_from and t."order_ts" < s.valid_to
           and (t."nk_product_id") is distinct from (s."nk_product_id");

-- 7 of 7, counts updated
update "warehouse"."lines" as t
         set "nk_customer_id" = s."nk_customer_id", "cost" = s."cost", _run_id = etl.current_run_id()
         from warehouse.dim_customers as s
         where s."nk_customer_id" = t."nk_customer_id" and s._run_id = etl.current_run_id()
           and (t."nk_customer_id", t."cost") is distinct from (s."nk_customer_id", s."cost");
