-- Staging mirrors of the POS tables. The source columns and their types are the contract
-- with the POS database: extraction compares them with the source and stops on drift.
-- Load metadata: _batch_id (the extraction that last inserted or changed the row),
-- _extracted_at, _source, _row_hash (hash of the source columns), _deleted_at.

create table staging.customers (
  customer_id     integer primary key,
  first_name      character varying(50),
  last_name       character varying(50),
  email           character varying(100),
  phone           character varying(20),
  loyalty_points  integer,
  created_at      timestamp without time zone,
  _batch_id       text not null,
  _extracted_at   timestamptz not null,
  _source         text not null,
  _row_hash       text not null,
  _deleted_at     timestamptz
);
create index customers_batch_idx on staging.customers (_batch_id);

create table staging.employees (
  employee_id  integer primary key,
  first_name   character varying(50),
  last_name    character varying(50),
  hire_date    date,
  role         character varying(50),
  email        character varying(100),
  created_at   timestamp without time zone,
  _batch_id      text not null,
  _extracted_at  timestamptz not null,
  _source        text not null,
  _row_hash      text not null,
  _deleted_at    timestamptz
);
create index employees_batch_idx on staging.employees (_batch_id);
