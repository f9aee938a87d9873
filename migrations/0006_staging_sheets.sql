-- Staging mirrors of the hand-kept sheets (docs/sources.md, "The spreadsheets"). Columns hold the parsed
-- canonical text of each cell (integers as digits, dates as YYYY-MM-DD, timestamps as
-- YYYY-MM-DD HH:MM:SS); rows whose cells could not be parsed never get here: they are
-- quarantined with their raw text. _natural_key is the sheet's key columns joined with '|'.

create table staging.store_branch (
  _natural_key   text primary key,
  store_id       text,
  store_name     text,
  created_at     text,
  _source_file   text not null,
  _source_row    integer not null,
  _batch_id      text not null,
  _extracted_at  timestamptz not null,
  _source        text not null,
  _row_hash      text not null,
  _deleted_at    timestamptz
);
create index store_branch_batch_idx on staging.store_branch (_batch_id);

create table staging.stock_count (
  _natural_key   text primary key,
  count_date     text,
  store_name     text,
  product_id     text,
  counted_qty    text,
  counted_by     text,
  _source_file   text not null,
  _source_row    integer not null,
  _batch_id      text not null,
  _extracted_at  timestamptz not null,
  _source        text not null,
  _row_hash      text not null,
  _deleted_at    timestamptz
);
create index stock_count_batch_idx on staging.stock_count (_batch_id);

-- A file already ingested (same checksum, same sheet) is not ingested again.
create table etl.ingested_files (
  checksum     text not null,
  sheet        text not null,
  file_name    text not null,
  batch_id     text not null,
  rows_read    integer not null,
  ingested_at  timestamptz not null default now(),
  primary key (checksum, sheet)
);

-- Rows held back at extraction (cells that do not parse, a repeated key within the batch).
alter table etl.batches add column rows_rejected integer not null default 0;
