// The cafe's fixed world: its branches, menu and the words staff use. A cafe grows in sales,
// not in menu, so these do not scale.

export const BRANCHES = [
  { storeId: 1, storeName: 'Setara Coffee', createdAt: '2022-11-01 09:00:00' },
  { storeId: 2, storeName: 'Laci Coffee', createdAt: '2022-11-15 09:00:00' },
  { storeId: 3, storeName: 'Dapur Kenangan', createdAt: '2022-12-01 09:00:00' },
] as const

/** Misspellings staff type for a branch name: products that name no known branch. */
export const BRANCH_TYPOS = ['Setara Cofee', 'Laci', 'Dapur  Kenangan Baru']

/** 18 menu items per branch: 54 products. Prices in dollars, as the POS stores them. */
export const MENU: { name: string; category: string; price: number }[] = [
  { name: 'Espresso', category: 'Coffee', price: 3 },
  { name: 'Americano', category: 'Coffee', price: 4 },
  { name: 'Cafe Latte', category: 'Coffee', price: 5 },
  { name: 'Cappuccino', category: 'Coffee', price: 5 },
  { name: 'Kopi Susu Gula Aren', category: 'Coffee', price: 4 },
  { name: 'Flat White', category: 'Coffee', price: 5 },
  { name: 'Cold Brew', category: 'Coffee', price: 5 },
  { name: 'Matcha Latte', category: 'Non-Coffee', price: 6 },
  { name: 'Chocolate', category: 'Non-Coffee', price: 5 },
  { name: 'Teh Tarik', category: 'Non-Coffee', price: 3 },
  { name: 'Lemon Tea', category: 'Non-Coffee', price: 3 },
  { name: 'Croissant', category: 'Pastry', price: 4 },
  { name: 'Pain au Chocolat', category: 'Pastry', price: 4 },
  { name: 'Banana Bread', category: 'Pastry', price: 3 },
  { name: 'Nasi Goreng', category: 'Food', price: 8 },
  { name: 'Mie Goreng', category: 'Food', price: 7 },
  { name: 'Roti Bakar', category: 'Food', price: 4 },
  { name: 'Chicken Sandwich', category: 'Food', price: 7 },
]

export const VALID_ROLES = ['Cashier', 'Manager', 'Waiter', 'Waitress', 'Barista']
export const JUNK_ROLES = ['Cleaner??', 'ERROR', 'xx', 'Chef de partie']
export const PAYMENT_METHODS = ['Cash', 'Debit Card', 'Credit Card']
export const WASTE_REASONS = ['Damaged', 'Expired']

/** The period the real data covers: orders from 2023-01 to 2024-12 (local time). */
export const PERIOD_START = Date.UTC(2023, 0, 1)
export const PERIOD_DAYS = 731
export const DAY_MS = 86_400_000

/** A local timestamp as the POS stores it: 'YYYY-MM-DD HH:MM:SS'. */
export function posTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

export function posDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** Dollar text as the POS stores prices: '$47.00', '$-3.00'. */
export function dollars(amount: number): string {
  return `$${amount.toFixed(2)}`
}
