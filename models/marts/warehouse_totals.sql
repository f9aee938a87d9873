-- materialized: table
-- grain: one row: the warehouse as a whole
--
-- The few totals the run report's headline and sections show, summed once here from the marts
-- they come from: Completed orders and revenue, customers with an order, duplicate groups
-- merged, and the product-branch pairs out of stock or negative on the last day of stock.

select
    (select max(month) from marts.customer_activity_monthly)                          as last_month,
    (select coalesce(sum(orders), 0) from marts.customer_activity_monthly)::integer    as orders,
    (select coalesce(sum(revenue), 0) from marts.customer_activity_monthly)            as revenue,
    (select coalesce(sum(new_customers), 0) from marts.customer_activity_monthly)::integer as customers,
    (select count(*) from marts.customer_rfm where customer_records > 1)::integer      as duplicate_groups,
    (select coalesce(sum(customer_records), 0) from marts.customer_rfm
     where customer_records > 1)::integer                                              as duplicate_records,
    (select max(day) from marts.stock_on_hand)                                         as stock_day,
    (select count(*) from marts.stock_on_hand)::integer                                as stock_items,
    (select count(*) from marts.stock_on_hand where is_out_of_stock)::integer          as out_of_stock,
    (select count(*) from marts.stock_on_hand where is_negative)::integer              as negative_stock
