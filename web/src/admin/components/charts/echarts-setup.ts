/**
 * The only place ECharts code is imported: through `echarts/core` with just the chart types and
 * components the reports use (the option type in reports-charts.ts names the same ones), so the
 * bundle carries nothing else and only the lazily loaded report pages pull it in. SVG renderer:
 * crisp when printed to PDF, and cheap for the few hundred points a report draws.
 */
import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendPlainComponent, TooltipComponent, VisualMapContinuousComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([LineChart, BarChart, HeatmapChart, GridComponent, LegendPlainComponent, TooltipComponent, VisualMapContinuousComponent, SVGRenderer]);

export { echarts };
