/**
 * `peaklab dashboard`: a live page of the services' metrics without Grafana, and the library the load
 * generator uses to put its own per-second results on the same page (`startDashboard` and
 * `pushClient`). See docs/dashboard.md.
 */
export {
  type Dashboard,
  type DashboardOptions,
  MAX_WINDOW_S,
  MIN_WINDOW_S,
  startDashboard,
} from './dashboard.js';
export { CLIENT_PANELS, type ClientSecond, type PanelSpec, SERVER_PANELS } from './panels.js';
export type { DashboardData, PageGroup, PageSeries } from './state.js';
export type { TargetSpec } from './targets.js';
