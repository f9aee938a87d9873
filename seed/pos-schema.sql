-- The POS database schema as the cafe's point-of-sale system has it (docs/sources.md, "The POS database").
-- Used only to create the demo source; the pipeline never writes to a source database.
create table customers (
  customer_id     serial primary key,
  first_name      varchar(50),
  last_name       varchar(50),
  email           varchar(100) unique,
  phone           varchar(20),
  loyalty_points  int4 default 0,
  created_at      timestamp not null default now()
);

create table employees (
  employee_id  serial primary key,
  first_name   varchar(50) not null,
  last_name    varchar(50) not null,
  hire_date    date not null,
  role         varchar(50) not null,
  email        varchar(100) unique,
  created_at   timestamp not null default now()
);

create table products (
  product_id    serial primary key,
  product_name  varchar(100) not null,
  category      varchar(50) not null,
  unit_price    varchar not null,
  cost_price    varchar not null,
  in_stock      varchar,
  store_branch  varchar,
  created_at    timestamp not null default now()
);

create table orders (
  order_id        serial primary key,
  employee_id     int4 references employees (employee_id),
  customer_id     int4 references customers (customer_id),
  order_date      timestamp not null,
  total_amount    numeric(10, 2) not null,
  payment_method  varchar(50) not null,
  order_status    varchar(50) not null,
  created_at      timestamp not null default now()
);

create table order_details (
  order_detail_id  serial primary key,
  order_id         int4 references orders (order_id),
  product_id       int4 references products (product_id),
  quantity         int4 not null,
  unit_price       numeric(10, 2) not null,
  subtotal         numeric(10, 2) not null,
  created_at       timestamp not null default now()
);

create table inventory_tracking (
  tracking_id      serial primary key,
  product_id       int4 references products (product_id),
  quantity_change  int4 not null,
  change_date      timestamp not null,
  reason           varchar(100),
  created_at       timestamp not null default now()
);
