export * from './alerts.ts';
export * from './audit.ts';
export * from './database.ts';
export * from './devices.ts';
export * from './maintenance.ts';
export * from './migrate.ts';
export { MIGRATIONS } from './migrations.ts';
export * from './places.ts';
export * from './tenant.ts';
