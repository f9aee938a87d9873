// The demo POS database: the schema of docs/sources.md filled with a realistic, deterministic
// dataset at any scale, every defect class of docs/sources.md planted at a configurable rate.
// Each planted defect is written to seed_truth.defects (table, natural key, defect), so tests
// and benchmarks can measure what the pipeline caught against what was planted.
//
// Scale N multiplies customers, orders, lines and movements by N; branches, employees and
// products stay at the real size. Rows stream into COPY one at a time.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { en, Faker } from '@faker-js/faker'
import type { Sql, TransactionSql } from '../lib/db.ts'
import { BadInputError } from '../lib/errors.ts'
import { type Cell, copyRows } from '../lib/extract/copy-rows.ts'
import { projectRoot } from '../lib/paths.ts'
import { quoteIdentifier, quoteLiteral } from '../lib/sql-text.ts'
import { householdFirstName, localFormat, type NameVariant, varyName } from './customer-variants.ts'
import { pickDefect } from './pick-defect.ts'
import {
  BRANCH_TYPOS,
  BRANCHES,
  DAY_MS,
  dollars,
  JUNK_ROLES,
  MENU,
  PAYMENT_METHODS,
  PERIOD_DAYS,
  PERIOD_START,
  posDate,
  posTimestamp,
  VALID_ROLES,
  WASTE_REASONS,
} from './reference-data.ts'

export interface GeneratorOptions {
  scale: number
  seed: number
  /** Share of rows that carry each kind of defect (0 to 1). */
  defectRate: number
  /**
   * The day the data is generated (YYYY-MM-DD, default the current UTC day): planted future
   * hire dates lie one to five years after it, so they stay in the future whenever the data is
   * made. The same seed and day give the same data.
   */
  today?: string
}

export const DEFAULT_GENERATOR_OPTIONS: GeneratorOptions = { scale: 1, seed: 42, defectRate: 0.05 }

/** Real-size counts at scale 1 (docs/sources.md). */
export const BASE_COUNTS = { customers: 200, employees: 100, orders: 1000, movements: 160 }

export interface GeneratorResult {
  rows: Record<string, number>
  defects: Record<string, number>
}

type Defect = [table: string, naturalKey: string, defect: string]

/**
 * Collects planted defects per table, and which person each customer record is (with the
 * planted look-alike pairs: duplicates and hard negatives); flushed to seed_truth after each table.
 */
export class GroundTruth {
  private pending: Defect[] = []
  private persons: [customerId: number, personId: number][] = []
  private pairs: [customerId: number, otherCustomerId: number, samePerson: 't' | 'f', kind: string][] = []
  readonly counts: Record<string, number> = {}
  plant(table: string, key: string | number, defect: string): void {
    this.pending.push([table, String(key), defect])
    const name = `${table}.${defect}`
    this.counts[name] = (this.counts[name] ?? 0) + 1
  }
  /** Customer record `customerId` is person `personId` (the id of the person's first record). */
  person(customerId: number, personId: number): void {
    this.persons.push([customerId, personId])
  }
  /** A planted look-alike: the same person again (kind: how the record differs), or not. */
  pair(customerId: number, otherCustomerId: number, samePerson: boolean, kind: string): void {
    this.pairs.push([customerId, otherCustomerId, samePerson ? 't' : 'f', kind])
  }
  async flush(sql: TransactionSql): Promise<void> {
    await copyRows(sql, 'seed_truth.defects', this.pending)
    if (this.persons.length > 0) await copyRows(sql, 'seed_truth.customer_persons', this.persons)
    if (this.pairs.length > 0) await copyRows(sql, 'seed_truth.customer_pairs', this.pairs)
    this.pending = []
    this.persons = []
    this.pairs = []
  }
}

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
export async function generatePos(sql: Sql, options: GeneratorOptions, replace = false): Promise<GeneratorResult> {
  if (await sourceHasTables(sql)) {
    if (!replace) {
      throw new BadInputError(
        'The source database already has tables; seed writes only to an empty database (use --replace for a demo database)',
      )
    }
    await sql`drop schema if exists seed_truth cascade`
    await sql`drop table if exists inventory_tracking, order_details, orders, products, employees, customers cascade`
  }
  const truth = new GroundTruth()
  const world = new World(options)
  const rows: Record<string, number> = {}
  await sql.begin(async (tx) => {
    await createPosSchema(tx)
    await tx`create schema seed_truth`
    await tx`create table seed_truth.defects (table_name text not null, natural_key text not null, defect text not null)`
    await tx`create table seed_truth.customer_persons (customer_id int primary key, person_id int not null)`
    await tx`create table seed_truth.customer_pairs
             (customer_id int not null, other_customer_id int not null, same_person boolean not null, kind text not null)`
    await tx`create table seed_truth.generator (scale numeric, seed int, defect_rate numeric, generated_on date)`
    await tx`insert into seed_truth.generator
             values (${options.scale}, ${options.seed}, ${options.defectRate}, ${world.today})`
    const tables = ['employees', 'products', 'customers', 'orders', 'order_details', 'inventory_tracking']
    Object.assign(rows, await loadWorld(tx, world, truth, tables))
    await syncSequences(tx)
    await tx`create index on seed_truth.defects (table_name, defect)`
  })
  return { rows, defects: truth.counts }
}

/** The POS tables, empty, as the cafe's point-of-sale system has them (tests fill them by hand). */
export async function createPosSchema(sql: Sql | TransactionSql): Promise<void> {
  await sql.unsafe(await readFile(path.join(projectRoot, 'seed', 'pos-schema.sql'), 'utf8'))
}

/** Each POS table's key column (a serial): its rows' natural key in the truth and in dq.violations. */
export const POS_KEY_COLUMNS = {
  customers: 'customer_id',
  employees: 'employee_id',
  products: 'product_id',
  orders: 'order_id',
  order_details: 'order_detail_id',
  inventory_tracking: 'tracking_id',
} as const

/**
 * The role the pipeline reads with: it may connect and select, nothing else. Created when
 * missing (roles belong to the server, grants to this database).
 */
export async function grantReader(sql: Sql, role: string): Promise<void> {
  const [database] = await sql<{ name: string }[]>`select current_database() as name`
  await sql.unsafe(`
    do $$ begin
      if not exists (select from pg_roles where rolname = ${quoteLiteral(role)}) then
        create role ${quoteIdentifier(role)} login;
      end if;
    end $$`)
  const quoted = quoteIdentifier(role)
  await sql.unsafe(`grant connect on database ${quoteIdentifier(database?.name ?? '')} to ${quoted}`)
  await sql.unsafe(`grant usage on schema public to ${quoted}`)
  await sql.unsafe(`grant select on all tables in schema public to ${quoted}`)
  await sql.unsafe(`alter default privileges in schema public grant select on tables to ${quoted}`)
}

/** Rows were loaded with explicit ids: move each serial past them, as the POS would have. */
export async function syncSequences(tx: TransactionSql): Promise<void> {
  for (const [table, key] of Object.entries(POS_KEY_COLUMNS)) {
    await tx.unsafe(
      `select setval(pg_get_serial_sequence('${table}', '${key}'), coalesce(max(${key}), 1)) from ${table}`,
    )
  }
}

/** Streams the world's rows of each table into it with COPY, with their planted defects. */
export async function loadWorld(
  tx: TransactionSql,
  world: World,
  truth: GroundTruth,
  tables: string[],
): Promise<Record<string, number>> {
  const generators: Record<string, () => Iterable<Cell[]>> = {
    employees: () => world.employees(truth),
    products: () => world.products(truth),
    customers: () => world.customers(truth),
    orders: () => world.orders(truth),
    order_details: () => world.orderLines(truth),
    inventory_tracking: () => world.movements(truth),
  }
  const rows: Record<string, number> = {}
  for (const table of tables) {
    let count = 0
    await copyRows(
      tx,
      table,
      counting((generators[table] as () => Iterable<Cell[]>)(), () => count++),
    )
    await truth.flush(tx)
    rows[table] = count
  }
  return rows
}

/** A name as it appears in an email address: 'De la Cruz' -> 'delacruz'. */
function handle(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '')
}

function* counting<T>(items: Iterable<T>, onItem: () => void): Generator<T> {
  for (const item of items) {
    onItem()
    yield item
  }
}

/** A person as the generator remembers them, to register again or to be mistaken for. */
interface Person {
  personId: number
  first: string
  last: string
  emailLocal: string | null
  phone: string | null
}

interface CustomerRecord {
  person: Person
  first: string
  last: string
  email: string | null
  phone: string | null
  /** A duplicate: the way of reaching the person it keeps. */
  keeps?: 'phone' | 'email'
  lookAlike?: { of: number; samePerson: boolean; kind: string }
}

interface LinePlan {
  productId: number | null
  quantity: number
  unitPrice: number
  subtotal: number
  defect?: string
}

interface OrderPlan {
  orderId: number
  /** A badly voided order: its row is gone, its lines remain with no order. */
  voided: boolean
  employeeId: number | null
  customerId: number | null
  orderTime: number
  paymentMethod: string
  status: string
  lines: LinePlan[]
  totalAmount: number
  defects: string[]
}

/**
 * The generator's world. Each order is planned from its own seed, so the orders pass and the
 * order-lines pass regenerate the same order without keeping any of them in memory.
 */
/** The stretch of time a World fills, and the ids it starts from (after existing rows). */
export interface Span {
  startMs: number
  days: number
  counts: { customers: number; orders: number; movements: number }
  /** The id before the first new row, per table (0 for an empty database). */
  after: { customers: number; orders: number; orderLines: number; movements: number }
}

export function initialSpan(options: GeneratorOptions): Span {
  return {
    startMs: PERIOD_START,
    days: PERIOD_DAYS,
    counts: {
      customers: Math.max(1, Math.round(BASE_COUNTS.customers * options.scale)),
      orders: Math.max(1, Math.round(BASE_COUNTS.orders * options.scale)),
      movements: Math.max(1, Math.round(BASE_COUNTS.movements * options.scale)),
    },
    after: { customers: 0, orders: 0, orderLines: 0, movements: 0 },
  }
}

export class World {
  readonly counts: { customers: number; employees: number; orders: number; movements: number; products: number }
  /** The day the data is generated (GeneratorOptions.today). */
  readonly today: string
  private readonly faker: Faker
  private readonly orderFaker: Faker

  constructor(
    private readonly options: GeneratorOptions,
    private readonly span: Span = initialSpan(options),
  ) {
    // A span after the first has its own random stream, so appended days differ from the first.
    this.faker = new Faker({ locale: [en] })
    this.faker.seed(span.after.orders === 0 ? options.seed : [options.seed, span.after.orders])
    this.orderFaker = new Faker({ locale: [en], seed: options.seed })
    this.counts = { ...span.counts, employees: BASE_COUNTS.employees, products: MENU.length * BRANCHES.length }
    this.today = options.today ?? posDate(Date.now())
  }

  /** The time of the n-th (0-based) of `count` events spread evenly over the span's days. */
  private dayStart(n: number, count: number): number {
    return this.span.startMs + Math.floor((n / count) * this.span.days) * DAY_MS
  }

  private chance(faker = this.faker): boolean {
    return faker.number.float() < this.options.defectRate
  }

  /** At most one defect per row: each kind is tried in turn at the defect rate times its share. */
  private oneDefect<K extends string>(kinds: [kind: K, share: number][], faker = this.faker): K | undefined {
    return pickDefect(faker, this.options.defectRate, kinds)
  }

  private timeIn(faker: Faker, fromDay: number, toDay: number): number {
    return PERIOD_START + faker.number.int({ min: fromDay * DAY_MS, max: toDay * DAY_MS - 1 })
  }

  /** The list price of a product (its menu price; the POS text may be damaged). */
  listPrice(productId: number): number {
    return (MENU[(productId - 1) % MENU.length] as (typeof MENU)[number]).price
  }

  *employees(truth: GroundTruth): Generator<Cell[]> {
    const f = this.faker
    for (let id = 1; id <= this.counts.employees; id++) {
      const first = f.person.firstName()
      const last = f.person.lastName()
      let role = f.helpers.arrayElement(VALID_ROLES)
      if (this.chance()) {
        role = f.helpers.arrayElement(JUNK_ROLES)
        truth.plant('employees', id, 'invalid_role')
      }
      let hireDate = posDate(this.timeIn(f, -900, 600))
      if (this.chance()) {
        // In a later year than the day the data is made, so the date is in the future for years.
        const year = Number(this.today.slice(0, 4)) + 1 + f.number.int(4)
        hireDate = `${year}-0${f.number.int({ min: 1, max: 9 })}-15`
        truth.plant('employees', id, 'future_hire_date')
      }
      let email: string | null = `${handle(first)}.${handle(last)}.${id}@paccafe.example`
      if (this.chance()) {
        email = `${first}${last}${id}.paccafe`
        truth.plant('employees', id, 'invalid_email')
      }
      yield [id, first, last, hireDate, role, email, posTimestamp(this.timeIn(f, -60, 0))]
    }
  }

  *products(truth: GroundTruth): Generator<Cell[]> {
    const f = this.faker
    for (let id = 1; id <= this.counts.products; id++) {
      const item = MENU[(id - 1) % MENU.length] as (typeof MENU)[number]
      const branch = BRANCHES[Math.floor((id - 1) / MENU.length)] as (typeof BRANCHES)[number]
      let unitPrice = dollars(item.price)
      let costPrice = dollars(Math.round(item.price * f.number.float({ min: 0.3, max: 0.6 }) * 100) / 100)
      const priceDefect = this.oneDefect([
        ['negative_cost_price', 1],
        ['negative_unit_price', 1],
        ['unparseable_price', 1],
        ['cost_above_price', 1],
      ])
      if (priceDefect === 'negative_cost_price') costPrice = dollars(-f.number.int({ min: 1, max: 5 }))
      if (priceDefect === 'negative_unit_price') unitPrice = dollars(-item.price)
      if (priceDefect === 'unparseable_price') unitPrice = f.helpers.arrayElement(['Rp 25.000', 'free', '4,50', ''])
      if (priceDefect === 'cost_above_price') costPrice = dollars(item.price + f.number.int({ min: 1, max: 3 }))
      if (priceDefect) truth.plant('products', id, priceDefect)
      let storeBranch: string = branch.storeName
      if (this.chance()) {
        storeBranch = f.helpers.arrayElement(BRANCH_TYPOS)
        truth.plant('products', id, 'unknown_branch')
      }
      const inStock = f.number.float() < 0.9 ? 'Yes' : 'No'
      yield [
        id,
        item.name,
        item.category,
        unitPrice,
        costPrice,
        inStock,
        storeBranch,
        posTimestamp(this.timeIn(f, -30, 0)),
      ]
    }
  }

  *customers(truth: GroundTruth): Generator<Cell[]> {
    const f = this.faker
    // A small ring of recent people is enough to draw look-alikes from, at any scale.
    const recent: Person[] = []
    for (let n = 0; n < this.counts.customers; n++) {
      const id = this.span.after.customers + n + 1
      const record = this.customerRecord(f, id, recent.length > 5 ? f.helpers.arrayElement(recent) : undefined)
      truth.person(id, record.person.personId)
      if (record.lookAlike) {
        const { kind, samePerson, of } = record.lookAlike
        truth.pair(id, of, samePerson, kind)
        if (samePerson) truth.plant('customers', id, 'duplicate_customer')
      }
      // A duplicate's kept way of being reached is not damaged: that is how it can be found.
      let email = record.email
      if (record.keeps !== 'email' && this.chance()) {
        email = f.helpers.arrayElement([
          `${record.first}.${record.last}${id}@`,
          `${record.first} ${record.last} ${id}`,
          `${record.last}${id}@@mail`,
        ])
        truth.plant('customers', id, 'invalid_email')
      }
      let phone = record.phone
      if (phone !== null && record.keeps !== 'phone' && this.chance()) {
        phone = f.string.numeric(6)
        truth.plant('customers', id, 'short_phone')
      }
      let points = f.number.int({ min: 0, max: 500 })
      if (this.chance()) {
        points = -f.number.int({ min: 1, max: 100 })
        truth.plant('customers', id, 'negative_loyalty_points')
      }
      // A person is found again only by a way of reaching them the POS kept undamaged.
      if (record.person.personId === id) {
        if (email !== record.email) record.person.emailLocal = null
        if (phone !== record.phone) record.person.phone = null
      }
      recent[id % 50] = record.person
      // Customers register over the whole span, in id order, during opening hours.
      const createdAt =
        this.dayStart(n, this.counts.customers) + f.number.int({ min: 7 * 3_600_000, max: 21 * 3_600_000 })
      yield [id, record.first, record.last, email, phone, points, posTimestamp(createdAt)]
    }
  }

  /**
   * One customer record: a new person, or now and then someone like a recent one. A duplicate
   * registration is the same person again who keeps one way of being reached (the phone, or the
   * email's name) and changes the other, with the name as typed that day (another case, a typo,
   * a nickname, first and last swapped, an initial, an accent). The hard negatives are other
   * people: one who shares a common name (and nothing else), or a household's phone and surname.
   */
  private customerRecord(f: Faker, id: number, like: Person | undefined): CustomerRecord {
    const fresh = (first: string, last: string, phone?: string): CustomerRecord => {
      // Some people give no email or no phone; one who shares a household's phone gives it.
      const emailLocal = f.number.float() < 0.05 ? null : `${handle(first)}.${handle(last)}.${id}`
      const given = phone ?? (f.number.float() < 0.15 ? null : `62${f.string.numeric(11)}`)
      const person: Person = { personId: id, first, last, emailLocal, phone: given }
      const email = emailLocal === null ? null : `${emailLocal}@${f.internet.domainName()}`
      return { person, first, last, email, phone: given }
    }
    const roll = f.number.float()
    const rate = this.options.defectRate
    if (like && roll < rate && (like.phone !== null || like.emailLocal !== null)) {
      const variant = f.helpers.arrayElement<NameVariant>([
        'same',
        'case_and_spacing',
        'typo',
        'nickname',
        'swapped',
        'initial',
        'accent',
      ])
      const name = varyName(f, like.first, like.last, variant)
      // The way of reaching them they keep is one they gave the first time.
      const kept = [
        like.phone === null ? [] : ['phone' as const],
        like.emailLocal === null ? [] : ['email' as const],
      ].flat()
      const keeps = f.helpers.arrayElement(kept)
      const handleAgain = `${handle(like.first)}${handle(like.last)}${f.number.int({ min: 1, max: 99 })}`
      const email =
        keeps === 'email'
          ? `${like.emailLocal}@${f.internet.domainName()}` // emails are unique in the POS: another domain
          : `${handleAgain}@${f.internet.domainName()}`
      const phone =
        keeps === 'phone' && like.phone !== null
          ? f.datatype.boolean()
            ? localFormat(like.phone)
            : like.phone
          : `62${f.string.numeric(11)}`
      return {
        person: like,
        first: name.first,
        last: name.last,
        email,
        phone,
        keeps,
        lookAlike: { of: like.personId, samePerson: true, kind: `${name.variant}, same ${keeps}` },
      }
    }
    if (like && roll < rate * 1.5) {
      const record = fresh(like.first, like.last)
      return { ...record, lookAlike: { of: like.personId, samePerson: false, kind: 'common name' } }
    }
    if (like && like.phone !== null && roll < rate * 2) {
      const record = fresh(householdFirstName(f, like.first), like.last, like.phone)
      return { ...record, lookAlike: { of: like.personId, samePerson: false, kind: 'household phone' } }
    }
    return fresh(f.person.firstName(), f.person.lastName())
  }

  /** Plans order `orderId` from its own seed: the same plan every time it is asked for. */
  planOrder(orderId: number): OrderPlan {
    const f = this.orderFaker
    f.seed([this.options.seed, 7, orderId])
    const defects: string[] = []
    // Orders come in time order over the period, during opening hours (07:00 to 22:00).
    const dayStart = this.dayStart(orderId - this.span.after.orders - 1, this.counts.orders)
    const orderTime = dayStart + f.number.int({ min: 7 * 3_600_000, max: 22 * 3_600_000 - 1 })
    const lastCustomer = this.span.after.customers + this.counts.customers
    const customerId = f.number.float() < 0.25 ? null : f.number.int({ min: 1, max: lastCustomer })
    const employeeId = f.number.int({ min: 1, max: this.counts.employees })
    let paymentMethod = f.helpers.arrayElement(PAYMENT_METHODS)
    if (this.chance(f)) {
      paymentMethod = 'ERROR'
      defects.push('invalid_payment_method')
    }
    let status = f.number.float() < 0.92 ? 'Completed' : 'Cancelled'
    if (this.chance(f)) {
      status = 'Canceled'
      defects.push('misspelled_status')
    }
    // Lines come from one branch's menu; now and then a second branch's item slips in.
    const branch = f.number.int({ min: 0, max: BRANCHES.length - 1 })
    const lines: LinePlan[] = []
    const lineCount = f.number.int({ min: 1, max: 5 })
    for (let n = 0; n < lineCount; n++) {
      const lineBranch = f.number.float() < 0.02 ? f.number.int({ min: 0, max: BRANCHES.length - 1 }) : branch
      const productId: number | null = lineBranch * MENU.length + f.number.int({ min: 1, max: MENU.length })
      const quantity = f.number.int({ min: 1, max: 8 })
      // Prices change over time: a line may carry another price than the list.
      const listPrice = this.listPrice(productId)
      const unitPrice = f.number.float() < 0.1 ? listPrice + f.helpers.arrayElement([-1, 1]) : listPrice
      const line: LinePlan = { productId, quantity, unitPrice, subtotal: quantity * unitPrice }
      line.defect = this.oneDefect(
        [
          ['non_positive_quantity', this.options.defectRate],
          ['subtotal_mismatch', this.options.defectRate],
        ],
        f,
      )
      if (line.defect === 'non_positive_quantity') line.quantity = line.subtotal = 0
      if (line.defect === 'subtotal_mismatch') line.subtotal += 1
      lines.push(line)
    }
    let totalAmount = lines.reduce((sum, line) => sum + line.subtotal, 0)
    if (this.chance(f)) {
      totalAmount += f.number.int({ min: 1, max: 9 })
      defects.push('total_mismatch')
    }
    const voided = f.number.float() < this.options.defectRate / 4
    return { orderId, voided, employeeId, customerId, orderTime, paymentMethod, status, lines, totalAmount, defects }
  }

  *orders(truth: GroundTruth): Generator<Cell[]> {
    for (let orderId = this.span.after.orders + 1; orderId <= this.span.after.orders + this.counts.orders; orderId++) {
      const order = this.planOrder(orderId)
      if (order.voided) continue
      for (const defect of order.defects) truth.plant('orders', orderId, defect)
      yield [
        orderId,
        order.employeeId,
        order.customerId,
        posTimestamp(order.orderTime),
        order.totalAmount.toFixed(2),
        order.paymentMethod,
        order.status,
        posTimestamp(order.orderTime + 60_000 * (orderId % 10)),
      ]
    }
  }

  *orderLines(truth: GroundTruth): Generator<Cell[]> {
    let lineId = this.span.after.orderLines
    for (let orderId = this.span.after.orders + 1; orderId <= this.span.after.orders + this.counts.orders; orderId++) {
      const order = this.planOrder(orderId)
      for (const line of order.lines) {
        lineId++
        if (order.voided) truth.plant('order_details', lineId, 'orphaned_line')
        if (line.defect) truth.plant('order_details', lineId, line.defect)
        yield [
          lineId,
          order.voided ? null : orderId,
          line.productId,
          line.quantity,
          line.unitPrice.toFixed(2),
          line.subtotal.toFixed(2),
          posTimestamp(order.orderTime + 60_000 * (orderId % 10)),
        ]
      }
    }
  }

  *movements(truth: GroundTruth): Generator<Cell[]> {
    const f = this.faker
    for (let n = 0; n < this.counts.movements; n++) {
      const id = this.span.after.movements + n + 1
      const changeDate =
        this.dayStart(n, this.counts.movements) + f.number.int({ min: 6 * 3_600_000, max: 23 * 3_600_000 })
      let productId: number | null = f.number.int({ min: 1, max: this.counts.products })
      let reason = f.helpers.weightedArrayElement([
        { weight: 65, value: 'Restock' },
        { weight: 20, value: WASTE_REASONS[0] as string },
        { weight: 15, value: WASTE_REASONS[1] as string },
      ])
      // As in the real POS, every quantity is positive, waste included: the reason gives the direction.
      let quantity = reason === 'Restock' ? f.number.int({ min: 80, max: 200 }) : f.number.int({ min: 1, max: 6 })
      const defect = this.oneDefect([
        ['invalid_reason', 1],
        ['negative_quantity', 1],
        ['zero_quantity', this.options.defectRate],
        ['missing_product', this.options.defectRate],
      ])
      if (defect === 'invalid_reason') reason = 'ERROR'
      if (defect === 'negative_quantity') quantity = -quantity
      if (defect === 'zero_quantity') quantity = 0
      if (defect === 'missing_product') productId = null
      if (defect) truth.plant('inventory_tracking', id, defect)
      yield [id, productId, quantity, posTimestamp(changeDate), reason, posTimestamp(changeDate + 300_000)]
    }
  }
}
