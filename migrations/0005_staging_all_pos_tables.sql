-- Staging mirrors of the remaining POS tables (see 0003 for the conventions), and the
-- resume point of chunked extractions.

create table staging.products (
  product_id    integer primary key,
  product_name  character varying(100),
  category      character varying(50),
  unit_price    character varying,
  cost_price    character varying,
  in_stock      character varying,
  store_branch  character varying,
  created_at    timestamp without time zone,
  _batch_id      text not null,
  _extracted_at  timestamptz not null,
  _source        text not null,
  _row_hash      text not null,
  _deleted_at    timestamptz
);
create index products_batch_idx on staging.products (_batch_id);

create table staging.orders (
  order_id        integer primary key,
  employee_id     integer,
  customer_id     integer,
  order_date      timestamp without time zone,
  total_amount    numeric(10,2),
  payment_method  character varying(50),
  order_status    character varying(50),
  created_at      timestamp without time zone,
  _batch_id      text not null,
  _extracted_at  timestamptz not null,
  _source        text not null,
  _row_hash      text not null,
  _deleted_at    timestamptz
);
create index orders_batch_idx on staging.orders (_batch_id);

create table staging.order_details (
  order_detail_id  integer primary key,
  order_id         integer,
  product_id       integer,
  quantity         integer,
  unit_price       numeric(10,2),
  subtotal         numeric(10,2),
  created_at       timestamp without time zone,
  _batch_id      text not null,
  _extracted_at  timestamptz not null,
  _source        text not null,
  _row_hash      text not null,
  _deleted_at    timestamptz
);
create index order_details_batch_idx on staging.order_details (_batch_id);

create table staging.inventory_tracking (
  tracking_id      integer primary key,
  product_id       integer,
  quantity_change  integer,
  change_date      timestamp without time zone,
  reason           character varying(100),
  created_at       timestamp without time zone,
  _batch_id      text not null,
  _extracted_at  timestamptz not null,
  _source        text not null,
  _row_hash      text not null,
  _deleted_at    timestamptz
);
create index inventory_tracking_batch_idx on staging.inventory_tracking (_batch_id);

-- Chunked copies commit chunk by chunk into the batch's load table; a retry resumes after
-- the last key committed.
alter table etl.batches
  add column chunks_copied   integer not null default 0,
  add column resume_after    text,
  add column resumed_times   integer not null default 0;
