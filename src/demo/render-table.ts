/** A cell of a table: a count or a text. */
export type Cell = number | string;

/**
 * Draws a table with box-drawing lines: a header row, then one line per row. The first column
 * (the labels) is left-aligned and the others right-aligned, so columns of counts read at a
 * glance.
 *
 * @example
 * renderTable(['measure', 'degree 1'], [['lost', 0]]).forEach((line) => console.log(line));
 */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => String(row[column] ?? '').length)),
  );
  const rule = (left: string, middle: string, right: string): string =>
    `${left}${widths.map((width) => '─'.repeat(width + 2)).join(middle)}${right}`;
  const line = (cells: readonly Cell[]): string =>
    `│${widths
      .map((width, column) => {
        const text = String(cells[column] ?? '');
        return ` ${column === 0 ? text.padEnd(width) : text.padStart(width)} `;
      })
      .join('│')}│`;

  return [
    rule('┌', '┬', '┐'),
    line(header),
    rule('├', '┼', '┤'),
    ...rows.map(line),
    rule('└', '┴', '┘'),
  ];
}
