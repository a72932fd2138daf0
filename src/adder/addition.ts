/** The two numbers a client asks the adder to add: finite numbers, already validated. */
export interface Operands {
  readonly a: number;
  readonly b: number;
}

/** What both adder endpoints answer: the operands and their sum. */
export interface Addition extends Operands {
  readonly sum: number;
}
