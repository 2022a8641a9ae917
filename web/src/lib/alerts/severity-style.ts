// How each severity looks on a map (the stylesheets use --sev-<name> from app.css, the same colours).
import type { AlertSeverity } from '@fleet/shared/rules';

export const SEVERITY_COLORS: Record<AlertSeverity, string> = {
  info: '#0369a1',
  warning: '#b45309',
  critical: '#b91c1c',
};

/** A MapLibre `match` expression giving a feature's colour from its `severity` property. */
export function severityColorExpression(): unknown[] {
  return ['match', ['get', 'severity'], ...Object.entries(SEVERITY_COLORS).flat(), SEVERITY_COLORS.warning];
}
