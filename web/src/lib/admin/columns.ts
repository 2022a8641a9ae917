// A table column as the management tables declare it, in a module of its own so plain .ts
// modules (the reports' tables) can extend it without importing a component.
export interface Column<Key extends string> {
  key: Key;
  label: string;
  /** Whether the list can be sorted by this column (the endpoint's sort, or pageRows). */
  sortable?: boolean;
  align?: 'start' | 'end';
}
