// A three-route router on the History API: /, /runs/<id>, /cost (the server serves the page for each).
import {useEffect, useState} from 'preact/hooks'

export type Route = {name: 'runs'; search: URLSearchParams} | {name: 'run'; id: string; search: URLSearchParams} | {name: 'cost'; search: URLSearchParams}

function parse(): Route {
  const search = new URLSearchParams(location.search)
  const path = location.pathname
  const run = path.match(/^\/runs\/([^/]+)$/)
  if (run) return {name: 'run', id: decodeURIComponent(run[1]), search}
  if (path === '/cost') return {name: 'cost', search}
  return {name: 'runs', search}
}

/** Goes to `href` without reloading; `replace` keeps the history entry (filters typed in). */
export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href)
  else history.pushState(null, '', href)
  dispatchEvent(new PopStateEvent('popstate'))
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parse)
  useEffect(() => {
    const update = () => setRoute(parse())
    addEventListener('popstate', update)
    return () => removeEventListener('popstate', update)
  }, [])
  return route
}

/** A link the router handles (ctrl/middle click still opens a tab). */
export function onLink(e: MouseEvent): void {
  const a = (e.currentTarget as HTMLAnchorElement)
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return
  e.preventDefault()
  navigate(a.getAttribute('href')!)
}
