import {render} from 'preact'

import {CostPage} from './cost.js'
import {onLink, useRoute} from './router.js'
import {RunPage} from './run.js'
import {RunsPage} from './runs.js'
import './style.css'

function App() {
  const route = useRoute()
  return (
    <>
      <header class="top">
        <a class="brand" href="/" onClick={onLink}>
          adw
        </a>
        <nav>
          <a href="/" onClick={onLink} class={route.name !== 'cost' ? 'active' : ''}>
            Runs
          </a>
          <a href="/cost" onClick={onLink} class={route.name === 'cost' ? 'active' : ''}>
            Cost &amp; quality
          </a>
        </nav>
      </header>
      <main>
        {route.name === 'runs' && <RunsPage search={route.search} />}
        {route.name === 'run' && <RunPage key={route.id} id={route.id} />}
        {route.name === 'cost' && <CostPage search={route.search} />}
      </main>
    </>
  )
}

render(<App />, document.getElementById('app')!)
