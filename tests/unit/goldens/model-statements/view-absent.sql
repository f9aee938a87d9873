-- view-absent

-- 1 of 1
create or replace view "marts"."numbers" as
-- materialized: view
select n, n * 10 as tens from staging.numbers;
