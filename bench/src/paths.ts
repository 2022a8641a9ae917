// Where every bench finds the project and the pinned QuestDB jar (npm run questdb:fetch).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const QUESTDB_JAR = join(ROOT, 'vendor/questdb/questdb-9.3.4.jar');
