/**
 * Charts for bench reports, drawn by Apache ECharts' server-side SVG renderer (no browser, no canvas):
 * each returns an SVG document to commit beside the report and embed with ![](file.svg).
 */
import * as echarts from 'echarts';

/** Any ECharts option drawn into an SVG document (no animation, white background): what every chart here uses. */
export function renderSvg(option: echarts.EChartsCoreOption, width = 760, height = 420): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({ animation: false, backgroundColor: '#ffffff', ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

export interface Series {
  name: string;
  /** [x, y] points; y null leaves a gap. */
  points: [number, number | null][];
  /** A dashed line (a reference such as "offered = answered" or a capacity). */
  dashed?: boolean;
}

export interface LineChartSpec {
  title: string;
  subtitle?: string;
  xName: string;
  yName: string;
  series: Series[];
  /** Logarithmic axes, for values spanning decades (latencies). */
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
}

/** A line chart with a legend, as SVG. */
export function lineChartSvg(spec: LineChartSpec): string {
  const axis = (name: string, log: boolean | undefined) => ({
    type: log ? ('log' as const) : ('value' as const),
    name,
    nameLocation: 'middle' as const,
    nameGap: 32,
    scale: false,
  });
  return renderSvg(
    {
      title: { text: spec.title, subtext: spec.subtitle ?? '', left: 'center' },
      legend: { bottom: 0, itemGap: 40 },
      grid: { left: 70, right: 30, top: spec.subtitle ? 70 : 50, bottom: 70 },
      xAxis: axis(spec.xName, spec.logX),
      yAxis: { ...axis(spec.yName, spec.logY), nameGap: 50 },
      series: spec.series.map((s) => ({
        name: s.name,
        type: 'line' as const,
        data: s.points,
        symbol: s.dashed ? 'none' : 'circle',
        symbolSize: 7,
        lineStyle: s.dashed ? { type: 'dashed' as const, width: 1.5 } : { width: 2.5 },
      })),
    },
    spec.width,
    spec.height,
  );
}

export interface BarChartSpec {
  title: string;
  subtitle?: string;
  categories: string[];
  yName: string;
  series: { name: string; values: (number | null)[] }[];
  /** Stack the series (parts of one total) instead of placing them side by side. */
  stacked?: boolean;
  width?: number;
  height?: number;
}

/** A (grouped or stacked) bar chart, as SVG. */
export function barChartSvg(spec: BarChartSpec): string {
  return renderSvg(
    {
      title: { text: spec.title, subtext: spec.subtitle ?? '', left: 'center' },
      legend: { bottom: 0, itemGap: 40 },
      grid: { left: 70, right: 30, top: spec.subtitle ? 70 : 50, bottom: 70 },
      xAxis: { type: 'category', data: spec.categories },
      yAxis: { type: 'value', name: spec.yName, nameLocation: 'middle', nameGap: 50 },
      series: spec.series.map((s) => ({
        name: s.name,
        type: 'bar' as const,
        data: s.values,
        ...(spec.stacked ? { stack: 'total' } : {}),
        label: {
          show: !spec.stacked,
          position: 'top' as const,
          formatter: (p: { value: unknown }) => String(Math.round(Number(p.value))),
        },
      })),
    },
    spec.width,
    spec.height,
  );
}
