/**
 * A progress bar for `adw db copy` on a terminal (one line redrawn on stderr), plain lines
 * otherwise (at most one per 10 %, so a log file stays short).
 */
const WIDTH = 30

export function progressBar(stream: NodeJS.WriteStream = process.stderr): {update: (done: number, total: number) => void; end: () => void} {
  const tty = Boolean(stream.isTTY) && !process.env.CI
  let lastTenth = -1
  let drawn = false
  const fmt = (n: number) => n.toLocaleString('en-US')
  return {
    update(done, total) {
      const ratio = total === 0 ? 1 : Math.min(1, done / total)
      if (tty) {
        const full = Math.round(ratio * WIDTH)
        stream.write(`\r[${'#'.repeat(full)}${'.'.repeat(WIDTH - full)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ${fmt(done)}/${fmt(total)} rows`)
        drawn = true
        return
      }
      const tenth = Math.floor(ratio * 10)
      if (tenth === lastTenth || total === 0) return
      lastTenth = tenth
      stream.write(`copied ${fmt(done)}/${fmt(total)} rows (${tenth * 10}%)\n`)
    },
    end() {
      if (drawn) stream.write('\n')
    },
  }
}
