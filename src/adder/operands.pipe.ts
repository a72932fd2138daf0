import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';

import type { Operands } from './addition.js';

/** A plain decimal number, optionally signed and with an exponent: `3`, `-1.5`, `.5`, `2e10`. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads the query `?a=…&b=…` into {@link Operands}. Each must be given once, as a plain decimal
 * number that is finite as a double; anything else (missing, repeated, empty, `0x10`, `1e400`)
 * is refused with `400 Bad Request`, naming the parameter and the value received. So are two
 * operands whose sum overflows a double (`1e308` and `1e308`): there would be no sum to answer.
 */
@Injectable()
export class OperandsPipe implements PipeTransform<unknown, Operands> {
  transform(query: unknown): Operands {
    const fields = typeof query === 'object' && query !== null ? query : {};
    const a = parseOperand('a', (fields as Record<string, unknown>)['a']);
    const b = parseOperand('b', (fields as Record<string, unknown>)['b']);
    if (!Number.isFinite(a + b)) {
      throw new BadRequestException(
        `The sum of ${a} and ${b} is too large for a double: give smaller operands.`,
      );
    }
    return { a, b };
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
