-- view-replacing-table

-- 1 of 2
drop table "marts"."numbers" cascade;

-- 2 of 2
create or replace view "marts"."numbers" as
-- materialized: view
select n, n * 10 as tens from staging.numbers;
