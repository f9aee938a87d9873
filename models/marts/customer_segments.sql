-- materialized: table
-- grain: one RFM segment and loyalty tier
--
-- How many merged customers each RFM segment (customer_rfm.segment) and loyalty tier holds, and
-- their revenue: the loyalty program's picture at a glance.

select
    segment,
    loyalty_tier,
    count(*)::integer                                  as customers,
    count(*) filter (where is_returning)::integer      as returning_customers,
    sum(monetary)                                      as revenue
from marts.customer_rfm
group by segment, loyalty_tier
