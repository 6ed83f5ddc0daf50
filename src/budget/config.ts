/** The `budget:` and `prices:` sections of adw.config.yaml: their checks, located at file:line:col. */
import type {isMap as isMapFn, isScalar as isScalarFn} from 'yaml'

type Yaml = {isMap: typeof isMapFn; isScalar: typeof isScalarFn}
type At = (offset: number, message: string) => void

const positive = (what: string) => (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : `must be a number above 0 (${what})`)

/** `budget:` keys and their checks (config.ts's SHAPE form). */
export const BUDGET_SHAPE: Record<string, (v: unknown) => string | undefined> = {
  run_usd: positive('US dollars a run may spend, e.g. 5'),
  run_tokens: v => (Number.isInteger(v) && (v as number) > 0 ? undefined : 'must be a whole number above 0 (tokens a run may use, e.g. 2000000)'),
  run_minutes: positive('minutes a run may take, e.g. 30'),
}

const PRICE_FIELDS: Record<string, string> = {
  input: 'USD per million input tokens',
  output: 'USD per million output tokens',
  cache_write: 'USD per million cache-write tokens (default 1.25 × input)',
  cache_read: 'USD per million cache-read tokens (default 0.1 × input)',
}

const EXAMPLE = 'prices: {my-model: {input: 3, output: 15}}'

/** `prices:` maps model ids to {input, output, cache_write?, cache_read?}, USD per million tokens. */
export function checkPricesSection(value: unknown, keyOffset: number, at: At, yaml: Yaml): void {
  const offset = (node: unknown) => (node as {range?: number[]} | null)?.range?.[0] ?? keyOffset
  if (value === null || (yaml.isScalar(value) && value.value === null)) return
  if (!yaml.isMap(value)) return at(offset(value), `prices must be a mapping of model ids to prices, e.g. ${EXAMPLE}`)
  for (const item of value.items) {
    const model = yaml.isScalar(item.key) ? String(item.key.value) : '?'
    if (!yaml.isMap(item.value)) {
      at(offset(item.value ?? item.key), `prices.${model} must be a mapping with input and output (USD per million tokens), e.g. ${EXAMPLE}`)
      continue
    }
    const seen = new Set<string>()
    for (const field of item.value.items) {
      const name = yaml.isScalar(field.key) ? String(field.key.value) : '?'
      seen.add(name)
      if (!(name in PRICE_FIELDS)) {
        at(offset(field.key), `unknown key "prices.${model}.${name}"; allowed: ${Object.keys(PRICE_FIELDS).join(', ')}`)
        continue
      }
      const v = yaml.isScalar(field.value) ? field.value.value : undefined
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) at(offset(field.value ?? field.key), `prices.${model}.${name} must be a number of 0 or more (${PRICE_FIELDS[name]})`)
    }
    for (const required of ['input', 'output']) if (!seen.has(required)) at(offset(item.key), `prices.${model} needs ${required} (${PRICE_FIELDS[required]})`)
  }
}
