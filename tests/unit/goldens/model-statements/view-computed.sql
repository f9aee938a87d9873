-- view-computed

-- 1 of 1
create or replace view "marts"."numbers" as
select model_rows.*, (tens * 10)::int as "hundreds"
from (
-- materialized: view
-- computed: hundreds int = tens * 10
select n, n * 10 as tens from staging.numbers
) as model_rows;
