// The bulk import's query and answer, and the CSV body, as schemas with no imports beyond zod:
// the console's type check loads them through the contract (api/src/contract.ts).
import { z } from 'zod';

export const importSummarySchema = z
  .object({
    dryRun: z.boolean().meta({ description: 'true: checked only, nothing written' }),
    rows: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
  })
  .meta({ id: 'ImportSummary' });
export type ImportSummary = z.output<typeof importSummarySchema>;

export const importQuerySchema = z
  .strictObject({
    dryRun: z
      .enum(['true', 'false'], { error: 'dryRun is true or false' })
      .default('false')
      .transform((v) => v === 'true')
      .meta({ description: 'true: check the file and answer what it would do, writing nothing' }),
  })
  .meta({ id: 'ImportQuery' });

export const csvFileSchema = z.string().meta({ id: 'CsvFile', description: 'A CSV file, UTF-8' });
