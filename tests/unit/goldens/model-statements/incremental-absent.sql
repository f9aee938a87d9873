-- incremental-absent

-- 1 of 5
select set_config('paccafe.first_build', 'on', true);

-- 2 of 5, counts inserted
create table "warehouse"."lines" as
       select model_rows.*, etl.current_run_id() as _run_id from (
-- materialized: incremental
-- unique_key: nk_line_id
-- grain: one order line

select l.nk_line_id, l.nk_product_id, l.nk_customer_id, l.order_ts, l.quantity, l.cost
from staging.lines as l
where l.run_id = etl.current_run_id()
) as model_rows;

-- 3 of 5
alter table "warehouse"."lines" alter column "nk_line_id" set not null;

-- 4 of 5
create unique index if not exists "lines__unique_key" on "warehouse"."lines" ("nk_line_id");

-- 5 of 5
create index if not exists "lines__run_id" on "warehouse"."lines"
       using brin (_run_id) with (autosummarize = on);
