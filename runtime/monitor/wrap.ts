// Wrapping a long line of prose to the terminal's width, for the notes under the report table
// (a `detail` can run to three hundred characters). Widths count code points, as the table's
// own alignment does; the text is plain (colour goes on after wrapping).

/**
 * `text` as lines of at most `width` columns, the first after `first` (a prefix already on the
 * line) and the rest indented by `indent` spaces. Breaks at spaces only: a word longer than a
 * line (a path, a number) stays whole and overflows rather than being cut in two.
 */
export function wrapText(text: string, width: number, first: number, indent: number): string[] {
  const len = (s: string) => [...s].length;
  // Never narrower than 20 columns of text: a very narrow terminal gets long lines, not one word a line.
  const room = (prefix: number) => Math.max(20, width - prefix);
  const lines: string[] = [];
  let line = "";
  let limit = room(first);
  for (const word of text.split(/ +/)) {
    if (word === "") continue;
    if (line === "") line = word;
    else if (len(line) + 1 + len(word) <= limit) line += " " + word;
    else {
      lines.push(line);
      line = word;
      limit = room(indent);
    }
  }
  lines.push(line);
  return lines;
}
