import DOMPurify from 'dompurify'
import {marked} from 'marked'
import {useMemo} from 'preact/hooks'

/** Markdown rendered by marked, then sanitized by DOMPurify: a plan file cannot run script here. */
export function Markdown({text}: {text: string}) {
  const html = useMemo(() => DOMPurify.sanitize(marked.parse(text, {async: false, gfm: true}) as string, {FORBID_TAGS: ['style', 'form', 'input'], FORBID_ATTR: ['style']}), [text])
  return <div class="markdown" dangerouslySetInnerHTML={{__html: html}} />
}
