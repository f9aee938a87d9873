-- materialized: table
-- grain: one month and waste reason (Damaged, Expired)
--
-- The month's waste of every product and branch together (waste_monthly summed): movements,
-- units and cost value. A product whose cost price is unknown adds its units, not a cost.

select
    month,
    reason,
    sum(movements)::integer          as movements,
    count(distinct product_id)::integer as products,
    sum(waste_quantity)::integer     as waste_quantity,
    sum(waste_cost_value)            as waste_cost_value
from marts.waste_monthly
group by month, reason
