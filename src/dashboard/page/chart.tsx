import {useEffect, useRef} from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

export interface Series {
  label: string
  values: number[]
  color: string
  format: (v: number) => string
}

/** A uPlot bar chart over days (x: UTC day strings), sized to its container. */
export function DayChart({days, series, height = 200}: {days: string[]; series: Series[]; height?: number}) {
  const el = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const box = el.current!
    const xs = days.map(d => Date.parse(d) / 1000)
    const bars = uPlot.paths.bars!({size: [0.7, 40]})
    const plot = new uPlot(
      {
        width: box.clientWidth || 600,
        height,
        legend: {show: true},
        cursor: {points: {show: false}},
        scales: {x: {time: true, range: (_u: uPlot, min: number, max: number) => [min - 43_200, max + 43_200]}},
        axes: [
          {stroke: '#667085', grid: {show: false}},
          ...series.map((s, i) => ({stroke: '#667085', scale: s.label, side: i === 0 ? 3 : 1, grid: {show: i === 0, stroke: '#eef0f3'}, values: (_: uPlot, v: number[]) => v.map(s.format), size: 60})),
        ],
        series: [
          {value: (_: uPlot, v: number) => (v == null ? '' : new Date(v * 1000).toISOString().slice(0, 10))},
          ...series.map((s, i) => ({
            label: s.label,
            scale: s.label,
            stroke: s.color,
            fill: i === 0 ? `${s.color}cc` : undefined,
            width: i === 0 ? 0 : 2,
            paths: i === 0 ? bars : undefined,
            points: {show: i !== 0 && days.length < 40},
            value: (_: uPlot, v: number) => (v == null ? '' : s.format(v)),
          })),
        ],
      },
      [xs, ...series.map(s => s.values)],
      box,
    )
    const resize = new ResizeObserver(() => plot.setSize({width: box.clientWidth, height}))
    resize.observe(box)
    return () => (resize.disconnect(), plot.destroy())
  }, [days.join(), series.map(s => s.values.join()).join('|')])
  return <div class="chart" ref={el} />
}
