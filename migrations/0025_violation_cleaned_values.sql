-- A violation's offending value is the source's, as staging holds it (`ERROR`); the clean model's
-- value (`Error`, trimmed and in title case) is kept beside it when it differs.
alter table dq.violations add column cleaned_value text;

comment on column dq.violations.offending_value is
  'the value as the source held it (the staging row''s), or the clean value for a derived column';
comment on column dq.violations.cleaned_value is
  'the clean model''s value of the column, when it differs from the source''s';
