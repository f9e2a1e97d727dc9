package io.ferrymq.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Replaces a generated block of a Markdown page, between {@code <!-- NAME:begin -->} and {@code
 * <!-- NAME:end -->} lines, and keeps everything else on the page as it is.
 */
final class DocsPage {

  private DocsPage() {
  }

  static String beginMarker(String name) {
    return "<!-- " + name + ":begin -->";
  }

  static String endMarker(String name) {
    return "<!-- " + name + ":end -->";
  }

  /**
   * Returns {@code page} with the text between the markers of block {@code name} replaced by
   * {@code block}. The markers stay.
   *
   * @throws IllegalArgumentException when a marker is missing, repeated, or the end comes first
   */
  static String replaceBlock(String page, String name, String block) {
    String begin = beginMarker(name);
    String end = endMarker(name);
    int from = page.indexOf(begin);
    int to = page.indexOf(end);
    if (from < 0 || to < 0) {
      throw new IllegalArgumentException("missing marker " + (from < 0 ? begin : end)
          + "; add the two lines " + begin + " and " + end + " where the generated block belongs");
    }
    if (page.indexOf(begin, from + 1) >= 0 || page.indexOf(end, to + 1) >= 0) {
      throw new IllegalArgumentException("marker " + begin + " or " + end + " appears more than once; keep one of each");
    }
    if (to < from) {
      throw new IllegalArgumentException(end + " comes before " + begin + "; swap them");
    }
    String body = block.endsWith("\n") ? block : block + "\n";
    return page.substring(0, from + begin.length()) + "\n" + body + page.substring(to);
  }

  /** Rewrites block {@code name} of {@code file} in place. */
  static void rewrite(Path file, String name, String block) throws IOException {
    Files.writeString(file, replaceBlock(Files.readString(file), name, block));
  }
}
