// Bundles the CLI for start-up speed; `npm run build` runs it after tsc, which it needs (it reads dist/).
//
// tsc writes dist/ file by file: the library (dist/index.js) and its types. Loading the CLI that way
// meant Node resolving and reading ~700 modules at every start (oclif alone ~480). esbuild writes
// dist/cli.js and dist/commands/*.js over tsc's versions, each importing shared chunks from
// dist/chunks/, so a command loads a handful of files. Four more things make it fast:
//
// 1. adw's own JSON Schemas (the pipeline's, the built-in executors' options) are compiled by ajv
//    here, into the bundle (src/pipeline/precompiled.ts is replaced by ajv's standalone code): a
//    run neither imports ajv nor compiles a schema (~50 ms at every start before).
// 2. Dependencies written as CommonJS (oclif and most of its own) are wrapped by esbuild in
//    functions that V8 compiles lazily, when the module first runs. Node's compile cache
//    (module.enableCompileCache() in bin/run.js) stores only what V8 compiled before that, so those
//    modules were compiled again at every start. Wrapping each in parentheses makes V8 compile it
//    eagerly (V8's heuristic for "parenthesized function, called soon"), so it lands in the cache:
//    importing oclif's chunk took ~33 ms before, ~18 ms after, on this 2-core machine.
// 3. Lazy imports stay lazy: the Anthropic SDK, execa, the agent's loop, CEL and the config file's
//    yaml reader are chunks of their own, loaded when a step or a file needs them.
// 4. oclif's command sort skips ICU (see OCLIF_SORT below).
//
// If bundling fails, tsc's unbundled files stay in place and adw still runs, only slower.
import {Ajv} from 'ajv'
import standaloneCode from 'ajv/dist/standalone/index.js'
import {build, transform} from 'esbuild'
import {mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
const started = Date.now()

/** ajv's standalone module for adw's own schemas, exporting `precompiled` like src/pipeline/precompiled.ts. */
async function precompiledValidators() {
  const {AJV_OPTIONS, getPipelineSchema} = await import(pathToFileURL(join(dist, 'pipeline/schema.js')).href)
  const {builtins} = await import(pathToFileURL(join(dist, 'plugins/builtins.js')).href)
  const schemas = [getPipelineSchema(), ...builtins.filter(e => e.schema).map(e => e.schema)]
  const ajv = new Ajv({...AJV_OPTIONS, code: {source: true, esm: true}})
  const refs = {}
  schemas.forEach((schema, i) => {
    ajv.addSchema(schema, `adw:${i}`)
    refs[`v${i}`] = `adw:${i}`
  })
  const entries = schemas.map((schema, i) => `[${JSON.stringify(JSON.stringify(schema))}, v${i}]`)
  return `${standaloneCode(ajv, refs)}\nexport const precompiled = new Map([${entries.join(', ')}])\n`
}

// oclif sorts each plugin's command ids with String#localeCompare at every start, and the first
// call loads ICU's collation data: ~7 ms, a tenth of `adw --version` here. Command ids are ASCII
// (letters, digits, ':' and '-'), whose code-point order is the same for every id adw and its
// plugins have. The build says so if a new oclif no longer has this line (then it is left alone).
const OCLIF_SORT = {from: '.sort((a, b) => a.id.localeCompare(b.id))', to: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'}
const oclifSortPlugin = {
  name: 'adw-oclif-command-sort',
  setup(b) {
    b.onLoad({filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/}, args => {
      const text = readFileSync(args.path, 'utf8')
      if (text.includes(OCLIF_SORT.from)) return {contents: text.replace(OCLIF_SORT.from, OCLIF_SORT.to), loader: 'js'}
      console.warn(`bundle: ${relative(root, args.path)} no longer sorts commands with localeCompare as expected; left as it is`)
      return undefined
    })
  },
}

const PRECOMPILED = join(root, 'src/pipeline/precompiled.ts')
const precompiledPlugin = contents => ({
  name: 'adw-precompiled-validators',
  setup(b) {
    b.onLoad({filter: /[\\/]src[\\/]pipeline[\\/]precompiled\.ts$/}, args =>
      args.path === PRECOMPILED ? {contents, loader: 'js', resolveDir: root} : undefined,
    )
  },
})

// `var require_x = __commonJS({\n  "path"(exports, module) {\n ...\n  }\n});` (and `__esm` for ES
// modules that are initialised lazily) → the same function as a parenthesized function expression.
const WRAPPED = /(__(?:commonJS|esm)\(\{\n {2}"[^"\n]+")\(([^)\n]*)\) \{\n(.*?)^ {2}\}\n\}\);/gms

/** Point 2 above; returns the text unchanged if the result would not parse. */
async function eagerModules(text, file) {
  let n = 0
  const out = text.replace(WRAPPED, (_, head, params, body) => {
    n++
    return `${head}: (function(${params}) {\n${body}  })\n});`
  })
  if (n === 0) {
    if (/__(commonJS|esm)\(\{/.test(text)) console.warn(`bundle: ${file} has module wrappers the eager-compile rewrite does not recognise (a new esbuild?); left as it is, start-up will be slower`)
    return text
  }
  try {
    await transform(out, {format: 'esm', loader: 'js', logLevel: 'silent'})
    return out
  } catch (error) {
    console.warn(`bundle: left ${file} as esbuild wrote it (the eager-compile rewrite did not parse: ${error.message.split('\n')[0]})`)
    return text
  }
}

const commands = readdirSync(join(root, 'src/commands'), {recursive: true})
  .filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map(f => f.slice(0, -3).replaceAll('\\', '/'))

const result = await build({
  absWorkingDir: root,
  entryPoints: {cli: 'src/cli.ts', ...Object.fromEntries(commands.map(c => [`commands/${c}`, `src/commands/${c}.ts`]))},
  outdir: dist,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // oclif requires TypeScript only to run a linked plugin's .ts sources; never bundle a compiler.
  // @oclif/plugin-plugins and web-tree-sitter find files beside their own modules (import.meta.url:
  // plugin-plugins' commands, tree-sitter's .wasm), so they stay as they are.
  // pg's optional native binding (pg-native) is never installed: pg requires it only when asked for pg.native.
  external: ['typescript', '@oclif/plugin-plugins', 'web-tree-sitter', 'pg-native'],
  // CommonJS dependencies call require() for Node's built-ins; an ES module has none of its own.
  banner: {js: "import {createRequire as __adwCreateRequire} from 'node:module'; const require = __adwCreateRequire(import.meta.url);"},
  plugins: [precompiledPlugin(await precompiledValidators()), oclifSortPlugin],
  write: false,
  logLevel: 'warning',
})

// Modules find the package's files (pipelines/, templates/) two levels above themselves, as in src/
// and in tsc's dist/: every bundled file that does so must sit two levels down too.
for (const f of result.outputFiles) {
  const depth = relative(root, f.path).split(/[\\/]/).length - 1
  if (depth !== 2 && f.text.includes('import.meta.url') && /PACKAGE_ROOT|TEMPLATES_DIR|SCHEMA_PATH/.test(f.text)) {
    throw new Error(`${relative(root, f.path)} locates package files from import.meta.url but is not two levels below the package`)
  }
}

rmSync(join(dist, 'chunks'), {recursive: true, force: true})
for (const f of result.outputFiles) {
  mkdirSync(dirname(f.path), {recursive: true})
  writeFileSync(f.path, f.path.endsWith('.js') ? await eagerModules(f.text, relative(root, f.path)) : f.contents)
}
console.log(`bundle: ${result.outputFiles.length} files in dist/ (cli, ${commands.length} commands, chunks) in ${Date.now() - started} ms`)
