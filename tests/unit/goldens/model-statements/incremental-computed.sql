-- incremental-computed

-- 1 of 6
create unique index if not exists "lines__unique_key" on "warehouse"."lines" ("nk_line_id");

-- 2 of 6
create index if not exists "lines__run_id" on "warehouse"."lines"
       using brin (_run_id) with (autosummarize = on);

-- 3 of 6
create index if not exists "lines__nk_product_id" on "warehouse"."lines" ("nk_product_id");

-- 4 of 6, counts merge
with model_rows as (
select model_rows.*, (quantity * cost)::numeric(12,2) as "cost_amount", (quantity > 10)::boolean as "is_large"
from (
-- materialized: incremental
-- unique_key: nk_line_id
-- grain: one order line
-- refresh: cost from warehouse.costs by nk_product_id
-- computed: cost_amount numeric(12,2) = quantity * cost
-- computed: is_large boolean = quantity > 10

select l.nk_line_id, l.nk_product_id, l.nk_customer_id, l.order_ts, l.quantity, l.cost
from staging.lines as l
where l.run_id = etl.current_run_id()
) as model_rows
),
     merged as (
       insert into "warehouse"."lines" as t ("nk_line_id", "nk_product_id", "nk_customer_id", "order_ts", "quantity", "cost", "cost_amount", "is_large", _run_id)
       select "nk_line_id", "nk_product_id", "nk_customer_id", "order_ts", "quantity", "cost", "cost_amount", "is_large", etl.current_run_id() from model_rows
       on conflict ("nk_line_id") do update
         set "nk_product_id" = excluded."nk_product_id", "nk_customer_id" = excluded."nk_customer_id", "order_ts" = excluded."order_ts", "quantity" = excluded."quantity", "cost" = excluded."cost", "cost_amount" = excluded."cost_amount", "is_large" = excluded."is_large", "_run_id" = excluded."_run_id"
         where (t."nk_product_id", t."nk_customer_id", t."order_ts", t."quantity", t."cost", t."cost_amount", t."is_large") is distinct from (excluded."nk_product_id", excluded."nk_customer_id", excluded."order_ts", excluded."quantity", excluded."cost", excluded."cost_amount", excluded."is_large")
       returning (xmax = 0) as inserted
     )
     select (select count(*) from model_rows)::int as selected,
            count(*) filter (where inserted)::int as inserted,
            count(*) filter (where not inserted)::int as updated
     from merged;

-- 5 of 6, counts updated
update "warehouse"."lines" as t
         set "cost" = s."cost", _run_id = etl.current_run_id()
         from warehouse.costs as s
         where s."nk_product_id" = t."nk_product_id" and s._run_id = etl.current_run_id()
           and (t."cost") is distinct from (s."cost");

-- 6 of 6
update "warehouse"."lines"
     set "cost_amount" = (quantity * cost)::numeric(12,2), "is_large" = (quantity > 10)::boolean
     where _run_id = etl.current_run_id() and ("cost_amount", "is_large") is distinct from ((quantity * cost)::numeric(12,2), (quantity > 10)::boolean);
