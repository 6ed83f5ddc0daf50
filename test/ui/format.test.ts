import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {formatCost, formatDuration, formatTokens, oneLine, resultParts} from '../../src/ui/format.js'

test('durations', () => {
  assert.equal([0, 400, 12_400, 59_949, 60_000, 125_000, 3_720_000, -5].map(formatDuration), ['0.0s', '0.4s', '12.4s', '59.9s', '1m 00s', '2m 05s', '1h 02m', '0.0s'])
})

test('tokens and cost', () => {
  assert.equal([850, 18_200, 31_000, 1_250_000].map(formatTokens), ['850', '18.2k', '31.0k', '1.3M'])
  assert.equal([0.12, 1.5, 0.041, 0.0007].map(formatCost), ['$0.12', '$1.50', '$0.041', '$0.0007'])
})

test('finished-title suffix: usage only when there was some', () => {
  assert.is(resultParts(12_400, {inputTokens: 15_000, outputTokens: 3_200, costUsd: 0.041}), '12.4s · 18.2k tok · $0.041')
  assert.is(resultParts(3_000, {inputTokens: 0, costUsd: 0}), '3.0s')
  assert.is(resultParts(3_000, {cacheReadTokens: 500}, ['2 attempts']), '2 attempts · 3.0s · 500 tok')
})

test('oneLine', () => {
  assert.is(oneLine('\n  first\nsecond\n'), 'first')
  assert.is(oneLine('a\nb\n\n', 160, true), 'b')
  assert.is(oneLine('x'.repeat(10), 5), 'xxxx…')
  assert.is(oneLine('tab\there'), 'tab here')
})

test.run()
