// `npm run mutate [-- <module>...] [--since <git ref>] [--incremental] [--write]`: StrykerJS on the
// critical modules (test/mutation/modules.mjs), one Stryker run per module, then a score table.
//   npm run mutate                          every module (slow: minutes per module on 2 cores)
//   npm run mutate -- config heartbeat      some modules
//   npm run mutate -- --since origin/main   only the modules whose files changed since that ref
//   npm run mutate -- --incremental         reuse earlier results for unchanged code and tests
//   npm run mutate -- --write               also write bench/MUTATION.md from every report there is
//   npm run mutate -- --report [--write]    run nothing: the table of the last reports (reports/mutation/)
//   npm run mutate -- masking --survivors   test again only the last report's survivors (after adding tests;
//                                           the module's source must be unchanged) and update that report
//   npm run mutate -- masking --quick       with the module's first (in-process) tests only: a fast first
//                                           pass, whose survivors `--survivors` then tests with all of them
// Not part of `npm test` nor CI: run it when the machine is quiet (ADW_MUTATE_CONCURRENCY, default 2).
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {MODULES} from './modules.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')
const {values, positionals} = parseArgs({allowPositionals: true, options: {since: {type: 'string'}, incremental: {type: 'boolean', default: false}, write: {type: 'boolean', default: false}, report: {type: 'boolean', default: false}, survivors: {type: 'boolean', default: false}, quick: {type: 'boolean', default: false}}})

const unknown = positionals.filter(m => !MODULES[m])
if (unknown.length) {
  console.error(`npm run mutate: no module ${unknown.join(', ')}; modules: ${Object.keys(MODULES).join(', ')}`)
  process.exit(2)
}
let names = values.report ? [] : positionals.length ? positionals : Object.keys(MODULES)
if (values.since) {
  const changed = execFileSync('git', ['diff', '--name-only', values.since, '--'], {cwd: ROOT, encoding: 'utf8'}).split('\n').filter(Boolean)
  names = names.filter(n => MODULES[n].mutate.some(f => changed.includes(f)))
  console.log(`changed since ${values.since}: ${names.length ? names.join(', ') : 'none of the critical modules'}`)
}

const stryker = join(ROOT, 'node_modules/@stryker-mutator/core/bin/stryker.js')
let failed = false
for (const name of names) {
  console.log(`\n== ${name}: ${MODULES[name].mutate.join(', ')}`)
  const started = Date.now()
  // What is mutated is the source as it is now (Stryker copies it before it starts).
  const commit = execFileSync('git', ['log', '-1', '--format=%h'], {cwd: ROOT, encoding: 'utf8'}).trim()
  const dirty = execFileSync('git', ['status', '--porcelain', '--', ...MODULES[name].mutate.map(f => f.split(':')[0])], {cwd: ROOT, encoding: 'utf8'}).trim() !== ''
  const meta = {commit: dirty ? `${commit}+` : commit, at: new Date().toISOString()}
  if (values.survivors) {
    failed = !retestSurvivors(name) || failed
  } else {
    const env = {...process.env, ADW_MUTATE_MODULE: name, ...(values.quick ? {ADW_MUTATE_QUICK: '1', ADW_MUTATE_TIMEOUT_MS: process.env.ADW_MUTATE_TIMEOUT_MS ?? '15000'} : {})}
    const r = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs', ...(values.incremental ? ['--incremental'] : [])], {cwd: ROOT, stdio: 'inherit', env})
    if (r.status !== 0) failed = true
    else writeFileSync(join(ROOT, `reports/mutation/${name}.meta.json`), JSON.stringify(meta))
  }
  const s = summary(name)
  if (s) console.log(`== ${name}: ${s.score.toFixed(1)}% killed (${s.killed}/${s.valid}), ${s.survivors.length} survived, ${((Date.now() - started) / 60_000).toFixed(1)} min`)
}

const all = Object.keys(MODULES).map(summary).filter(Boolean)
if (all.length) {
  console.log('\n' + table(all))
  if (values.write) {
    writeFileSync(join(ROOT, 'bench/MUTATION.md'), markdown(all))
    console.log('wrote bench/MUTATION.md')
  }
}
process.exit(failed ? 1 : 0)

/**
 * `--survivors`: Stryker on the lines of the last report's surviving mutants only, then those it now
 * kills are marked so in that report. Sound only when tests were added and the mutated source is the
 * same as in the report (checked: a changed file needs a full run).
 */
function retestSurvivors(name) {
  const file = join(ROOT, `reports/mutation/${name}.json`)
  if (!existsSync(file)) {
    console.error(`npm run mutate: no report of ${name} yet; run it in full first`)
    return false
  }
  const report = JSON.parse(readFileSync(file, 'utf8'))
  const paths = MODULES[name].mutate.map(f => f.split(':')[0])
  const changed = Object.entries(report.files).filter(([path, f]) => !existsSync(join(ROOT, path)) || readFileSync(join(ROOT, path), 'utf8') !== f.source).map(([path]) => path)
  const missing = paths.filter(p => !(p in report.files))
  if (changed.length || missing.length) {
    console.error(`npm run mutate: ${[...changed, ...missing].join(', ')} changed since the last report of ${name}; run it in full`)
    return false
  }
  const open = ({status}) => status === 'Survived' || status === 'NoCoverage'
  const ranges = [...new Set(Object.entries(report.files).flatMap(([path, f]) => f.mutants.filter(open).map(m => `${path}:${m.location.start.line}-${m.location.end.line}`)))]
  if (ranges.length === 0) {
    console.log(`== ${name}: no survivors to test again`)
    return true
  }
  const out = `reports/mutation/${name}.survivors.json`
  const r = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs'], {cwd: ROOT, stdio: 'inherit', env: {...process.env, ADW_MUTATE_MODULE: name, ADW_MUTATE_ONLY: JSON.stringify(ranges), ADW_MUTATE_REPORT: out}})
  if (r.status !== 0) return false
  const again = JSON.parse(readFileSync(join(ROOT, out), 'utf8'))
  const key = m => `${m.mutatorName}|${m.replacement}|${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column}`
  let killed = 0
  for (const [path, f] of Object.entries(report.files)) {
    const now = new Map((again.files[path]?.mutants ?? []).map(m => [key(m), m]))
    for (const m of f.mutants.filter(open)) {
      const n = now.get(key(m))
      if (n && !open(n)) Object.assign(m, {status: n.status, statusReason: n.statusReason, killedBy: n.killedBy}), killed++
    }
  }
  writeFileSync(file, JSON.stringify(report))
  console.log(`== ${name}: ${killed} of the survivors are now killed`)
  return true
}

/** Score and survivors of a module's last report (reports/mutation/<name>.json), or undefined. */
function summary(name) {
  const file = join(ROOT, `reports/mutation/${name}.json`)
  if (!existsSync(file)) return undefined
  const report = JSON.parse(readFileSync(file, 'utf8'))
  const mutants = Object.entries(report.files).flatMap(([path, f]) => f.mutants.map(m => ({...m, path, source: f.source})))
  const count = status => mutants.filter(m => m.status === status).length
  const killed = count('Killed') + count('Timeout')
  const valid = mutants.filter(m => !['CompileError', 'RuntimeError', 'Ignored'].includes(m.status)).length
  const survivors = mutants.filter(m => ['Survived', 'NoCoverage'].includes(m.status)).map(m => ({
    where: `${m.path}:${m.location.start.line}:${m.location.start.column}`,
    mutator: m.mutatorName,
    replacement: oneLine(m.replacement ?? ''),
    original: oneLine(original(m)),
  }))
  const files = [...new Set(mutants.map(m => m.path))]
  const metaFile = join(ROOT, `reports/mutation/${name}.meta.json`)
  const meta = existsSync(metaFile) ? JSON.parse(readFileSync(metaFile, 'utf8')) : {}
  const at = `${(meta.at ?? statTime(file)).slice(0, 16).replace('T', ' ')}${meta.commit ? ` at \`${meta.commit}\`` : ''}`
  return {name, files, valid, killed, timeout: count('Timeout'), survivors, score: valid ? (100 * killed) / valid : 100, at}
}

function original(m) {
  const lines = m.source.split('\n')
  const {start, end} = m.location
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1)
  return lines.slice(start.line - 1, end.line).join('\n').slice(start.column - 1)
}

function oneLine(s) {
  const t = s.replace(/\s+/g, ' ').trim()
  return t.length > 90 ? `${t.slice(0, 89)}…` : t
}

function statTime(file) {
  return new Date(Number(execFileSync('stat', ['-c', '%Y', file], {encoding: 'utf8'})) * 1000).toISOString()
}

/** Source text in a table cell: HTML code, so backticks and pipes in it print as they are. */
function code(s) {
  return `<code>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\|/g, '&#124;')}</code>`
}

function table(rows) {
  const lines = [['module', 'mutants', 'killed', 'survived', 'score'], ...rows.map(r => [r.name, String(r.valid), String(r.killed), String(r.survivors.length), `${r.score.toFixed(1)}%`])]
  const widths = lines[0].map((_, i) => Math.max(...lines.map(l => l[i].length)))
  return lines.map(l => l.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n')
}

/** Why a survivor is left: the first of the module's `why` rules whose pattern matches "where mutator original → mutant". */
function whyLeft(name, s) {
  const text = `${s.where} ${s.mutator} ${s.original} → ${s.replacement}`
  return (MODULES[name].why ?? []).find(([re]) => re.test(text))?.[1] ?? ''
}

/**
 * bench/MUTATION.md from the reports there are. A module with no report here keeps its row and its
 * survivors as the file had them (measured elsewhere), unless its files changed in modules.mjs.
 */
function markdown(rows) {
  const file = join(ROOT, 'bench/MUTATION.md')
  const old = existsSync(file) ? readFileSync(file, 'utf8') : ''
  const oldRow = n => old.split('\n').find(l => l.startsWith(`| ${n} | `) && !l.includes('not measured yet') && l.includes(MODULES[n].mutate.map(f => `\`${f.split(':')[0]}`)[0]))
  const oldSection = n => old.match(new RegExp(`^### ${n}\\n[\\s\\S]*?(?=^### |(?![\\s\\S]))`, 'm'))?.[0].trimEnd()
  const kept = Object.keys(MODULES).filter(n => !rows.some(r => r.name === n) && oldRow(n))
  const out = [
    '# Mutation testing of the critical modules',
    '',
    'Written by `npm run mutate -- --write` (StrykerJS, command runner over uvu; see test/README.md).',
    'A mutant is killed when the module\'s tests fail with it; the score is killed (timeouts included)',
    'over all valid mutants. Target: ≥ 90% in each module. "measured" gives the time (UTC) and the commit of the',
    'source that was mutated (`+`: with uncommitted changes to it).',
    '',
    '| module | what | files | mutants | killed | survived | score | measured |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...Object.keys(MODULES).map(n => {
      const r = rows.find(x => x.name === n)
      if (r) return `| ${r.name} | ${MODULES[r.name].what} | ${r.files.map(f => `\`${f}\``).join(', ')} | ${r.valid} | ${r.killed} | ${r.survivors.length} | **${r.score.toFixed(1)}%** | ${r.at} |`
      return kept.includes(n) ? oldRow(n) : `| ${n} | ${MODULES[n].what} | ${MODULES[n].mutate.map(f => `\`${f}\``).join(', ')} | – | – | – | not measured yet | |`
    }),
    '',
    '## Surviving mutants',
    '',
  ]
  for (const n of Object.keys(MODULES)) {
    const r = rows.find(x => x.name === n)
    if (!r) {
      if (kept.includes(n) && oldSection(n)) out.push(oldSection(n), '')
      continue
    }
    out.push(`### ${r.name}`, '')
    if (MODULES[r.name].notes) out.push(MODULES[r.name].notes, '')
    if (!r.survivors.length) out.push('None.', '')
    else out.push('| where | mutator | original | mutant | why it is left |', '| --- | --- | --- | --- | --- |', ...r.survivors.map(s => `| \`${s.where}\` | ${s.mutator} | ${code(s.original)} | ${code(s.replacement)} | ${whyLeft(r.name, s)} |`), '')
  }
  return out.join('\n')
}
