// The adw:executors hook: adw calls it once per command that needs executors
// (adw run, adw validate, adw executors) and registers what it returns.
import {jsonFile} from '../executors/json-file.js'
import {wordCount} from '../executors/word-count.js'

/** @param {{apiVersion: number}} options  the contract version adw speaks (1) */
export default async function executors(options) {
  if (options.apiVersion !== 1) {
    throw new Error(`adw-plugin-example supports executor API version 1, this adw speaks ${options.apiVersion}`)
  }
  return [wordCount, jsonFile]
}
