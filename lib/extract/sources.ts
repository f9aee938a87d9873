// The cafe's sources (sources.md): the POS tables the pipeline extracts, in no particular order.
// Their expected columns are the staging tables' (migrations), not repeated here.
export const POS_TABLES = [
  'customers',
  'employees',
  'products',
  'orders',
  'order_details',
  'inventory_tracking',
] as const
export type PosTable = (typeof POS_TABLES)[number]
