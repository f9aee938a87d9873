// The POS tables the pipeline extracts (docs/sources.md), in no particular order. Their expected
// columns are the staging tables' (migrations/), not repeated here.
export const POS_TABLES = [
  'customers',
  'employees',
  'products',
  'orders',
  'order_details',
  'inventory_tracking',
] as const
export type PosTable = (typeof POS_TABLES)[number]
