import type { AlertAction } from './action.js';

/**
 * AlertmanagerAlert is one alert in Alertmanager's API v2 shape, with the fields every sender fills
 * (annotations may be empty; a firing alert may leave endsAt out).
 */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** RFC 3339 time the alert started. */
  startsAt: string;
  /** RFC 3339 time the alert ends or ended. */
  endsAt?: string;
  /** Where the alert comes from: a Prometheus graph link, or the rule in the Vigil dashboard. */
  generatorURL?: string;
}

/**
 * PostableAlert is what analytics posts to the alerts service's `POST /api/v2/alerts`: an Alertmanager
 * alert plus Vigil's `actions` (also in the `vigil_actions` annotation, which survives a trip through
 * Alertmanager).
 */
export interface PostableAlert extends AlertmanagerAlert {
  actions?: AlertAction[];
}
