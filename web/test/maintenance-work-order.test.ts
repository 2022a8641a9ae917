// A work order's page without its markup (lib/maintenance/work-order.ts): the state buttons of
// each state against the API's transition table, and the bodies the forms send (a cost line,
// the completion, a meter reading, a file) against the API's own zod schemas, with the problems
// the forms word at their fields before anything is sent.
import { describe, expect, it } from 'vitest';
import { newMeterReadingSchema } from '../../api/src/domains/maintenance/schemas.ts';
import { TRANSITIONS as API_TRANSITIONS } from '../../api/src/domains/work-orders/repository.ts';
import {
  newAttachmentSchema,
  newLineSchema,
  workOrderTransitionSchema,
} from '../../api/src/domains/work-orders/schemas.ts';
import { WORK_ORDER_STATES } from '../src/lib/maintenance/labels.ts';
import {
  attachmentProblem,
  blankLine,
  completionBody,
  completionForm,
  fromDataUrl,
  isFinished,
  lineBody,
  parseAmount,
  parseNumber,
  readingBody,
  stateActions,
  TRANSITIONS,
  toBase64,
} from '../src/lib/maintenance/work-order.ts';

describe('the state buttons', () => {
  it('follow the API’s transition table', () => {
    expect(TRANSITIONS).toEqual(API_TRANSITIONS);
    for (const state of WORK_ORDER_STATES)
      expect([
        state,
        stateActions(state)
          .map((a) => a.to)
          .sort(),
      ]).toEqual([state, [...API_TRANSITIONS[state]].sort()]);
  });

  it('are, per state, in the order the workshop works, the next step first and marked', () => {
    const words = (s: (typeof WORK_ORDER_STATES)[number]) =>
      stateActions(s).map((a) => `${a.label}${a.primary ? '*' : ''}`);
    expect(words('open')).toEqual(['Start work*', 'Put on hold', 'Complete…', 'Cancel work order']);
    expect(words('in_progress')).toEqual([
      'Put on hold',
      'Back to the queue',
      'Complete…*',
      'Cancel work order',
    ]);
    expect(words('on_hold')).toEqual(['Resume work*', 'Back to the queue', 'Complete…', 'Cancel work order']);
    expect(stateActions('completed')).toEqual([]);
    expect(stateActions('cancelled')).toEqual([]);
    expect(isFinished('completed') && isFinished('cancelled') && !isFinished('on_hold')).toBe(true);
  });

  it('ask for the meters before completing and to be sure before cancelling', () => {
    const asks = Object.fromEntries(stateActions('open').map((a) => [a.to, a.asks]));
    expect(asks).toEqual({
      in_progress: undefined,
      on_hold: undefined,
      completed: 'completion',
      cancelled: 'confirm',
    });
  });
});

describe('numbers and amounts as typed', () => {
  it('read a decimal comma, refuse signs, exponents and words', () => {
    expect(parseNumber('1,5')).toBe(1.5);
    expect(parseNumber(' 16600 ')).toBe(16600);
    expect(parseNumber('.5')).toBe(0.5);
    for (const bad of ['', '-1', '1e3', 'ten', '1.2.3', 'Infinity'])
      expect(parseNumber(bad), bad).toBeUndefined();
  });

  it('keep amounts as decimal strings, with no more decimals than the currency has', () => {
    expect(parseAmount('45', 'EUR')).toBe('45');
    expect(parseAmount('45,50', 'EUR')).toBe('45.50');
    expect(parseAmount('12.345', 'EUR')).toBeUndefined();
    expect(parseAmount('12.345', 'BHD')).toBe('12.345');
    expect(parseAmount('1200', 'JPY')).toBe('1200');
    expect(parseAmount('1200.5', 'JPY')).toBeUndefined();
    for (const bad of ['-5', '€5', '5 EUR', '1e2', '', '01.5'])
      expect(parseAmount(bad, 'EUR'), bad).toBeUndefined();
  });
});

describe('a cost line', () => {
  it('is what the API takes: the price as a string, never a float', () => {
    const result = lineBody(
      { kind: 'part', description: ' Oil filter ', partNumber: 'OF-123', quantity: '2', unitCost: '12,50' },
      'EUR',
    );
    expect(result).toEqual({
      ok: true,
      body: {
        kind: 'part',
        description: 'Oil filter',
        partNumber: 'OF-123',
        quantity: 2,
        unitCost: '12.50',
        currency: 'EUR',
      },
    });
    expect(newLineSchema.safeParse(result.ok ? result.body : {}).success).toBe(true);
    const labour = lineBody(
      { ...blankLine('labour'), description: 'Service', quantity: '1.25', unitCost: '80' },
      'EUR',
    );
    expect(labour.ok && labour.body).toEqual({
      kind: 'labour',
      description: 'Service',
      quantity: 1.25,
      unitCost: '80',
      currency: 'EUR',
    });
  });

  it('words each problem at its field, as the API would refuse it', () => {
    const result = lineBody(
      { kind: 'other', description: '', partNumber: '', quantity: '0.0005', unitCost: '9.999' },
      'EUR',
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? {} : Object.keys(result.problems).sort()).toEqual([
      'description',
      'quantity',
      'unitCost',
    ]);
    expect(result.ok ? '' : result.problems.quantity).toBe('a quantity has at most three decimals');
    const zero = lineBody({ ...blankLine(), description: 'x', quantity: '0', unitCost: '1' }, 'EUR');
    expect(zero.ok ? undefined : zero.problems.quantity).toBe('a quantity is a number more than 0');
    const fine = lineBody({ ...blankLine(), description: 'x', quantity: '1.2345', unitCost: '1' }, 'EUR');
    expect(fine.ok ? undefined : fine.problems.quantity).toBe('a quantity has at most three decimals');
    expect(
      newLineSchema.safeParse({ kind: 'part', description: 'x', quantity: 1.2345, unitCost: '1' }).success,
    ).toBe(false);
  });
});

describe('the completion', () => {
  it('is prefilled with the asset’s meters and sends what is typed', () => {
    const form = completionForm({
      odometerKm: { value: 16500 },
      engineHours: null,
    });
    expect(form).toEqual({ odometerKm: '16500', engineHours: '', resolution: '' });
    const body = completionBody({ ...form, odometerKm: '16600', resolution: ' Oil and filter ' });
    expect(body).toEqual({
      ok: true,
      body: { state: 'completed', odometerKm: 16600, resolution: 'Oil and filter' },
    });
    expect(workOrderTransitionSchema.safeParse(body.ok ? body.body : {}).success).toBe(true);
    // Nothing typed: the API takes the asset's own meters.
    expect(completionBody({ odometerKm: '', engineHours: '', resolution: '' })).toEqual({
      ok: true,
      body: { state: 'completed' },
    });
  });

  it('refuses what is no reading; below the last one is the server’s to say', () => {
    const body = completionBody({ odometerKm: '-5', engineHours: 'lots', resolution: '' });
    expect(body.ok ? {} : body.problems).toEqual({
      odometerKm: 'a reading of 0..99,999,999',
      engineHours: 'a reading of 0..9,999,999',
    });
  });
});

describe('a meter reading', () => {
  it('is what the API takes, or a problem at the value', () => {
    const ok = readingBody('engine_hours', '1260,5', ' after the shift ');
    expect(ok).toEqual({ ok: true, body: { meter: 'engine_hours', value: 1260.5, note: 'after the shift' } });
    expect(newMeterReadingSchema.safeParse(ok.ok ? ok.body : {}).success).toBe(true);
    expect(readingBody('odometer', 'abc', '')).toEqual({
      ok: false,
      problems: { value: 'a reading is a number of 0 or more' },
    });
  });
});

describe('a file to attach', () => {
  it('is checked for type and size before it is read', () => {
    expect(attachmentProblem({ name: 'a.png', type: 'image/png', size: 10 })).toBeUndefined();
    expect(attachmentProblem({ name: 'a.exe', type: 'application/x-msdownload', size: 10 })).toBe(
      'a.exe is not a photo (JPEG, PNG, WebP), a PDF or a text file',
    );
    expect(attachmentProblem({ name: 'big.pdf', type: 'application/pdf', size: 5 * 1024 * 1024 + 1 })).toBe(
      'big.pdf is over 5 MiB',
    );
    expect(attachmentProblem({ name: 'e.txt', type: 'text/plain', size: 0 })).toBe('e.txt is empty');
  });

  it('goes as the padded base64 the API takes, and comes back from its data URL', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
    const dataBase64 = toBase64(bytes);
    expect(dataBase64).toBe(Buffer.from(bytes).toString('base64'));
    expect(
      newAttachmentSchema.safeParse({ fileName: 'scan.pdf', contentType: 'application/pdf', dataBase64 })
        .success,
    ).toBe(true);
    const back = fromDataUrl(`data:application/pdf;base64,${dataBase64}`);
    expect(back?.type).toBe('application/pdf');
    expect(Buffer.from(back?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true);
    expect(new TextDecoder().decode(fromDataUrl('data:text/plain,hello%20world')?.bytes)).toBe('hello world');
    expect(fromDataUrl('https://example.com/a.png')).toBeUndefined();
  });
});
