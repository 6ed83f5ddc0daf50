/** The JSON Schema of an evaluation suite file (`adw eval <suite.yaml>`); semantic checks are in suite.ts. */

const DURATION = {type: 'string', pattern: '^(?=\\d)(\\d+h)?(\\d+m(?!s))?(\\d+s)?(\\d+ms)?$', description: 'e.g. "30s", "5m" or "1h30m"'}
const NAME_LIST = {type: 'array', minItems: 1, uniqueItems: true, items: {type: 'string', minLength: 1}}
const INPUTS = {type: 'object', additionalProperties: {type: ['string', 'number', 'boolean']}, description: 'Pipeline inputs as name: value'}

const CHECK = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: {
    name: {type: 'string', minLength: 1, description: 'How the check is named in the report (default: the command, the file or "judge")'},
    run: {type: 'string', minLength: 1, description: 'A bash script run in the variant\'s folder after the run, sandboxed like a shell step; exit 0 passes. Nothing is interpolated into it'},
    network: {type: 'boolean', description: 'With run: let the command reach the network (default: no network)'},
    timeout: {...DURATION, description: 'With run: the most it may take (default 5m)'},
    file: {type: 'string', minLength: 1, description: 'A path in the variant\'s folder that must exist (or, with exists: false, must not)'},
    exists: {type: 'boolean', description: 'With file: false means the file must not exist'},
    contains: {type: 'string', minLength: 1, description: 'With file: text the file must contain'},
    judge: {
      type: 'object',
      additionalProperties: false,
      required: ['rubric'],
      description: 'An agent call that reads the result and answers PASS or FAIL by this rubric (its own run, its cost counted)',
      properties: {
        rubric: {type: 'string', minLength: 1, description: 'What a passing result looks like'},
        model: {type: 'string', minLength: 1, description: 'The judge\'s model (default: the variant\'s model)'},
      },
    },
  },
}

export const SUITE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'adw evaluation suite',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'cases'],
  properties: {
    $schema: {type: 'string'},
    name: {type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'The suite\'s name (letters, digits, . _ -)'},
    description: {type: 'string'},
    pipelines: {...NAME_LIST, description: 'Pipelines to compare: files (relative to the suite) or bare names (--pipeline wins)'},
    models: {...NAME_LIST, description: 'Models to compare (--model wins; default: the configured model)'},
    repeat: {type: 'integer', minimum: 1, maximum: 1000, description: 'Runs of each case × pipeline × model (--repeat wins). @default 1'},
    concurrency: {type: 'integer', minimum: 1, maximum: 1000, description: 'Variant runs at once (--concurrency wins). @default 4'},
    budget: {type: 'object', additionalProperties: false, properties: {usd: {type: 'number', exclusiveMinimum: 0, description: 'Most US dollars the whole eval may spend (--max-usd wins)'}}},
    inputs: INPUTS,
    cases: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'checks'],
        properties: {
          id: {type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$', description: 'The case\'s id (letters, digits, _ -)'},
          description: {type: 'string'},
          fixture: {type: 'string', minLength: 1, description: 'A folder (relative to the suite) copied for each run: the starting state'},
          repo: {type: 'string', minLength: 1, description: 'A git repository (relative to the suite); each run works in a worktree of ref'},
          ref: {type: 'string', minLength: 1, description: 'With repo: the commit, branch or tag to start from (default HEAD)'},
          prompt: {type: 'string', minLength: 1, description: 'The task (the pipeline input "prompt")'},
          issue: {type: ['integer', 'string'], description: 'A GitHub issue (12, owner/name#12 or its URL) whose title and body are the prompt'},
          inputs: INPUTS,
          checks: {type: 'array', minItems: 1, items: CHECK, description: 'What decides success: every check must pass'},
        },
      },
    },
  },
}
