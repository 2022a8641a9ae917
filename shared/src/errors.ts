// The base error of the platform: a stable machine-readable code plus a human message.
// Each boundary keeps its own catalogue of codes (MQTT refusal reasons, ingest reject reasons,
// later HTTP errors); this class is what they share.
export class FleetError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FleetError';
    this.code = code;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
