-- A run that fails after staging hands its rows back: the watermark it moved is restored and
-- its staged rows are marked so that the next run stages them again (see releaseFailedRun).
alter table etl.batches add column watermark_before timestamp;

-- A row with two bad cells of the same rule is two violations: the column is part of identity.
alter table dq.violations drop constraint violations_table_name_natural_key_rule_name_row_hash_key;
alter table dq.violations add constraint violations_identity_key
  unique nulls not distinct (table_name, natural_key, rule_name, row_hash, column_name);
