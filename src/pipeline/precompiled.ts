import type {ValidateFunction} from 'ajv'

/**
 * Validators of adw's own schemas (the pipeline schema, the built-in executors' options) compiled
 * ahead of time, keyed by `JSON.stringify(schema)`. Empty here and under tsx: `npm run build`
 * replaces this module in the bundled CLI with ajv's standalone code (bin/bundle.mjs), so a run
 * neither loads ajv nor compiles a schema. A schema not found here is compiled at run time.
 */
export const precompiled = new Map<string, ValidateFunction>()
