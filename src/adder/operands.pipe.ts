import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';

import type { Operands } from './addition.js';

/** A plain decimal number, optionally signed and with an exponent: `3`, `-1.5`, `.5`, `2e10`. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads the query `?a=…&b=…` into {@link Operands}. Each must be given once, as a plain decimal
 * number that is finite as a double; anything else (missing, repeated, empty, `0x10`, `1e400`)
 * is refused with `400 Bad Request`, naming the parameter and the value received.
 */
@Injectable()
export class OperandsPipe implements PipeTransform<unknown, Operands> {
  transform(query: unknown): Operands {
    const fields = typeof query === 'object' && query !== null ? query : {};
    return {
      a: parseOperand('a', (fields as Record<string, unknown>)['a']),
      b: parseOperand('b', (fields as Record<string, unknown>)['b']),
    };
  }
}

function parseOperand(name: string, raw: unknown): number {
  if (raw === undefined) {
    throw new BadRequestException(
      `Query parameter "${name}" is missing: give a number, as in ?a=1&b=2.`,
    );
  }
  if (typeof raw !== 'string') {
    throw new BadRequestException(`Query parameter "${name}" must be given once, as one number.`);
  }
  const value = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value)) {
    throw new BadRequestException(
      `Query parameter "${name}" must be a finite decimal number; received ${JSON.stringify(raw)}.`,
    );
  }
  return value;
}
