package io.authip.sandbox;

/**
 * The sandbox's live table. On a terminal each new table replaces the last one in place (ANSI: cursor up to the
 * first line of the previous frame, erase to the end of the screen); elsewhere (pipes, files, tests, TERM=dumb) each
 * change is appended as plain text, without escape sequences.
 */
final class LiveTable {

  /** Cursor to the start of the line N lines up: ESC [ N F. */
  static final String CURSOR_UP = "\u001b[%dF";
  /** Erase from the cursor to the end of the screen. */
  static final String ERASE_DOWN = "\u001b[J";

  private final boolean ansi;
  private String lastTable = "";
  private int lastLines;

  LiveTable(boolean ansi) {
    this.ansi = ansi;
  }

  /** Cursor movement only for an interactive console whose terminal understands it. */
  static boolean redrawInPlace(boolean console, String term) {
    return console && term != null && !term.isBlank() && !term.equals("dumb");
  }

  /** The text to print for this table, or null when it did not change since the last frame. */
  String next(String heading, String table) {
    if (table.equals(lastTable)) {
      return null;
    }
    lastTable = table;
    String frame = heading + System.lineSeparator() + table + System.lineSeparator();
    StringBuilder sb = new StringBuilder();
    if (ansi && lastLines > 0) {
      sb.append(String.format(CURSOR_UP, lastLines)).append(ERASE_DOWN);
    }
    sb.append(frame);
    lastLines = (int) frame.chars().filter(c -> c == '\n').count();
    return sb.toString();
  }
}
