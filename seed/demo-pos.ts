// The demo POS database: the schema of sources.md filled with a small deterministic dataset,
// defects included. Every injected defect is written to seed_truth.defects so that tests can
// measure what the pipeline caught against what was planted.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { en, Faker } from '@faker-js/faker'
import type { Sql, TransactionSql } from '../lib/db.ts'
import { BadInputError } from '../lib/errors.ts'
import { projectRoot } from '../lib/paths.ts'

export interface SeedOptions {
  seed: number
  customers: number
  employees: number
  /** Share of rows that carry each kind of defect. */
  defectRate: number
}

export const DEFAULT_SEED_OPTIONS: SeedOptions = { seed: 42, customers: 200, employees: 100, defectRate: 0.05 }

export interface SeedResult {
  rows: Record<string, number>
  defects: Record<string, number>
}

const VALID_ROLES = ['Cashier', 'Manager', 'Waiter', 'Waitress', 'Barista']
const JUNK_ROLES = ['Cleaner??', 'ERROR', 'xx', 'Chef de partie']
const BASE_TIME = Date.UTC(2023, 0, 1) // the cafe's POS went live in 2023

/** True when the source database already has tables: we must never write into it then. */
export async function sourceHasTables(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from information_schema.tables
    where table_schema not in ('pg_catalog', 'information_schema')`
  return (row?.n ?? 0) > 0
}

/**
 * Creates the POS schema and fills it. Refuses a database that already has tables unless
 * `replace` is set (which drops the demo tables first: only for demo databases).
 */
export async function seedDemoPos(sql: Sql, options: SeedOptions, replace = false): Promise<SeedResult> {
  if (await sourceHasTables(sql)) {
    if (!replace) {
      throw new BadInputError(
        'The source database already has tables; seed writes only to an empty database (use --replace for a demo database)',
      )
    }
    await sql`drop schema if exists seed_truth cascade`
    await sql`drop table if exists inventory_tracking, order_details, orders, products, employees, customers cascade`
  }
  const faker = new Faker({ locale: [en], seed: options.seed })
  const schema = await readFile(path.join(projectRoot, 'seed', 'pos-schema.sql'), 'utf8')
  const truth: [string, string, string][] = []
  await sql.begin(async (tx) => {
    await tx.unsafe(schema)
    await tx`create schema seed_truth`
    await tx`create table seed_truth.defects (table_name text, natural_key text, defect text)`
    await copyRows(tx, 'customers', customerRows(faker, options, truth))
    await copyRows(tx, 'employees', employeeRows(faker, options, truth))
    await tx`select setval('customers_customer_id_seq', (select max(customer_id) from customers))`
    await tx`select setval('employees_employee_id_seq', (select max(employee_id) from employees))`
    await copyRows(tx, 'seed_truth.defects', truth.values())
  })
  const defects: Record<string, number> = {}
  for (const [table, , defect] of truth) defects[`${table}.${defect}`] = (defects[`${table}.${defect}`] ?? 0) + 1
  return { rows: { customers: options.customers, employees: options.employees }, defects }
}

type Cell = string | number | null

async function copyRows(sql: Sql | TransactionSql, table: string, rows: Iterable<Cell[]>): Promise<void> {
  const target = await sql.unsafe(`copy ${table} from stdin`).writable()
  await pipeline(Readable.from(toCopyText(rows)), target)
}

function* toCopyText(rows: Iterable<Cell[]>): Generator<string> {
  for (const row of rows) yield `${row.map(copyValue).join('\t')}\n`
}

function copyValue(value: Cell): string {
  if (value === null) return '\\N'
  return String(value).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n')
}

function timestamp(faker: Faker, fromDays: number, toDays: number): string {
  const ms = BASE_TIME + faker.number.int({ min: fromDays * 86_400_000, max: toDays * 86_400_000 })
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '')
}

function* customerRows(faker: Faker, options: SeedOptions, truth: [string, string, string][]): Generator<Cell[]> {
  const people: { first: string; last: string; phone: string }[] = []
  for (let id = 1; id <= options.customers; id++) {
    const defect = (name: string) => truth.push(['customers', String(id), name])
    const original = id > 10 && faker.number.float() < options.defectRate ? faker.helpers.arrayElement(people) : null
    const first = original?.first ?? faker.person.firstName()
    const last = original?.last ?? faker.person.lastName()
    // A duplicate registration: the same person again, with another email or phone.
    if (original) defect('duplicate_customer')
    let email: string | null = `${first}.${last}.${id}@${faker.internet.domainName()}`.toLowerCase()
    if (faker.number.float() < options.defectRate) {
      email = faker.helpers.arrayElement([`${first}.${last}${id}@`, `${first} ${last} ${id}`, `${last}${id}@@mail`])
      defect('invalid_email')
    } else if (faker.number.float() < 0.05) {
      email = null
    }
    let phone: string | null = original?.phone ?? `62${faker.string.numeric(11)}`
    if (faker.number.float() < 0.15) phone = null
    else if (faker.number.float() < options.defectRate) {
      phone = faker.string.numeric(6)
      defect('short_phone')
    }
    let points = faker.number.int({ min: 0, max: 500 })
    if (faker.number.float() < options.defectRate) {
      points = -faker.number.int({ min: 1, max: 100 })
      defect('negative_loyalty_points')
    }
    people.push({ first, last, phone: phone ?? `62${faker.string.numeric(11)}` })
    yield [id, first, last, email, phone, points, timestamp(faker, 0, 700)]
  }
}

function* employeeRows(faker: Faker, options: SeedOptions, truth: [string, string, string][]): Generator<Cell[]> {
  for (let id = 1; id <= options.employees; id++) {
    const defect = (name: string) => truth.push(['employees', String(id), name])
    const first = faker.person.firstName()
    const last = faker.person.lastName()
    let role = faker.helpers.arrayElement(VALID_ROLES)
    if (faker.number.float() < options.defectRate) {
      role = faker.helpers.arrayElement(JUNK_ROLES)
      defect('invalid_role')
    }
    let hireDate = timestamp(faker, -900, 600).slice(0, 10)
    if (faker.number.float() < options.defectRate) {
      hireDate = `${2031 + faker.number.int(5)}-0${faker.number.int({ min: 1, max: 9 })}-15`
      defect('future_hire_date')
    }
    let email: string | null = `${first}.${last}.${id}@paccafe.example`.toLowerCase()
    if (faker.number.float() < options.defectRate) {
      email = `${first}${last}${id}.paccafe`
      defect('invalid_email')
    }
    yield [id, first, last, hireDate, role, email, timestamp(faker, 0, 700)]
  }
}
