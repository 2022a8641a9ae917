// How each telemetry chart of the device page looks and scales: its colour and the y range rules
// (series.ts, yRange). Labels, units and decimals are the value fields' (device/fields.ts).
import { type ChartFieldName, VALUE_FIELD } from '../device/fields.ts';

export interface ChartSpec {
  field: ChartFieldName;
  label: string;
  unit: string;
  digits: number;
  color: string;
  floor?: number;
  ceiling?: number;
  minSpan: number;
}

const STYLE: Record<ChartFieldName, Omit<ChartSpec, 'field' | 'label' | 'unit' | 'digits'>> = {
  speedKmh: { color: '#1d4ed8', floor: 0, minSpan: 10 },
  fuelLevelPct: { color: '#b45309', floor: 0, ceiling: 100, minSpan: 10 },
  coolantTempC: { color: '#b91c1c', minSpan: 10 },
  externalV: { color: '#7c3aed', minSpan: 1 },
  batteryV: { color: '#0f766e', minSpan: 0.5 },
  engineRpm: { color: '#475569', floor: 0, minSpan: 500 },
  temperatureC: { color: '#0369a1', minSpan: 2 },
};

export function chartSpec(field: ChartFieldName): ChartSpec {
  const f = VALUE_FIELD[field];
  return {
    field,
    label: f.label,
    unit: f.unit,
    digits: f.type === 'number' ? f.digits : 0,
    ...STYLE[field],
  };
}
