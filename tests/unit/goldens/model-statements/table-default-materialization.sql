-- table-default-materialization

-- 1 of 1, counts inserted
create table "clean"."numbers" as
select n, n * 10 as tens from staging.numbers;
