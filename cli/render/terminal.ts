/**
 * Text from manifests and files reaches a terminal: names, values and YAML error excerpts are the
 * user's bytes. A raw ESC or CSI (C1 0x9b) there can recolour, hide or rewrite what the terminal
 * shows, so every control character except newline and tab is written as a visible `\uXXXX`.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function visible(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** Safe for a terminal; keeps line structure. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, visible);
}

/** Safe for a terminal and on one line: for error messages, which must stay one line each. */
export function oneLine(text: string): string {
  return text.replace(CONTROL_OR_NEWLINE, (c) => (c === "\n" ? "\\n" : c === "\t" ? " " : visible(c)));
}
