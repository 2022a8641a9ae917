// The API's field errors, next to the inputs they are about. The error catalogue names each
// problem by the path of the value it found it in ('body.name', 'body.geometry.coordinates.0.3');
// a form lists the inputs it has, and each detail goes to the field its path starts with, or to
// the form as a whole when no field matches. A 409 has no details (a taken email, a sibling with
// that name): the form says which field it is about.
import { ApiRequestError, describeError } from '../api/errors.ts';

export interface FormErrors<F extends string> {
  /** One message per field (the first the API gave for it: one at a time reads best). */
  fields: Partial<Record<F, string>>;
  /** What belongs to no field, or the error's summary: shown at the top of the form. */
  form: string | undefined;
}

export function noErrors<F extends string>(): FormErrors<F> {
  return { fields: {}, form: undefined };
}

export interface FieldMapping<F extends string> {
  /**
   * Body paths (without `body.`) that a field with another name shows, for inputs that stand
   * for a nested value: `{ 'geometry.radiusM': 'radius' }`. The longest match wins.
   */
  aliases?: Readonly<Record<string, F>>;
  /** The field a 409 without details is about. */
  conflict?: F;
}

/** The body path a detail names ('body.a.b' → 'a.b'; 'body' → ''), or undefined for query/params. */
export function bodyPath(path: string): string | undefined {
  if (path === 'body') return '';
  return path.startsWith('body.') ? path.slice(5) : undefined;
}

export function formErrors<F extends string>(
  err: unknown,
  fields: readonly F[],
  mapping: FieldMapping<F> = {},
): FormErrors<F> {
  if (!(err instanceof ApiRequestError)) return { fields: {}, form: describeError(err) };
  const targets: [prefix: string, field: F][] = [
    ...fields.map((f): [string, F] => [f, f]),
    ...Object.entries(mapping.aliases ?? {}),
  ].sort((a, b) => b[0].length - a[0].length);
  const placed: Partial<Record<F, string>> = {};
  const unplaced: string[] = [];
  for (const detail of err.details) {
    const path = bodyPath(detail.path);
    const field =
      path === undefined || path === ''
        ? undefined
        : targets.find(([p]) => path === p || path.startsWith(`${p}.`))?.[1];
    if (field === undefined)
      unplaced.push(path === '' ? detail.message : `${detail.path}: ${detail.message}`);
    else placed[field] ??= detail.message;
  }
  if (err.status === 409 && err.details.length === 0 && mapping.conflict !== undefined)
    placed[mapping.conflict] = err.message;
  // The summary says what the API said; details no field shows are added so none is lost.
  const form = [describeError(err), ...unplaced.filter((m) => m !== err.message)].join(' ');
  return { fields: placed, form };
}
