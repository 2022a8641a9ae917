// Written after every `vite build` (web/package.json "build"): `npm start` compares the newest
// source file with this stamp to decide whether the console must be rebuilt first.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const file = join(import.meta.dirname, '..', 'build', '.fleet-build.json');
writeFileSync(file, `${JSON.stringify({ builtAt: new Date().toISOString() })}\n`);
