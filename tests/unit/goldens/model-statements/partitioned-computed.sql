-- partitioned-computed

-- 1 of 4
alter table "warehouse"."daily_totals" add column "doubled" int;

-- 2 of 4
update "warehouse"."daily_totals" set "doubled" = (amount * 2)::int;

-- 3 of 4
create index if not exists "daily_totals__partition" on "warehouse"."daily_totals" ("block");

-- 4 of 4, counts replace
with model_rows as materialized (
select model_rows.*, (amount * 2)::int as "doubled"
from (
-- materialized: incremental
-- partition_by: block
-- computed: doubled int = amount * 2

select id / 10 as block, day, sum(amount)::integer as amount
from staging.sales
where etl.is_first_build() or _run_id = etl.current_run_id()
group by 1, 2
) as model_rows
),
     replaced as (
       delete from "warehouse"."daily_totals" as t
       where t."block" in (select "block" from model_rows)
       returning 1
     ),
     added as (
       insert into "warehouse"."daily_totals" ("block", "day", "amount", "doubled", _run_id)
       select "block", "day", "amount", "doubled", etl.current_run_id() from model_rows
       returning 1
     )
     select (select count(*) from model_rows)::int as selected,
            (select count(*) from added)::int as inserted,
            (select count(*) from replaced)::int as deleted;
