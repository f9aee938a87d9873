-- partitioned-replace

-- 1 of 2
create index if not exists "daily_totals__partition" on "warehouse"."daily_totals" ("block");

-- 2 of 2, counts replace
with model_rows as materialized (
-- materialized: incremental
-- partition_by: block

select id / 10 as block, day, sum(amount)::integer as amount
from staging.sales
where etl.is_first_build() or _run_id = etl.current_run_id()
group by 1, 2
),
     replaced as (
       delete from "warehouse"."daily_totals" as t
       where t."block" in (select "block" from model_rows)
       returning 1
     ),
     added as (
       insert into "warehouse"."daily_totals" ("block", "day", "amount", _run_id)
       select "block", "day", "amount", etl.current_run_id() from model_rows
       returning 1
     )
     select (select count(*) from model_rows)::int as selected,
            (select count(*) from added)::int as inserted,
            (select count(*) from replaced)::int as deleted;
