package io.ferrymq.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class DocsPageTest {

  private static final String PAGE = """
      # Title
      Text before.
      <!-- results:begin -->
      old figures
      <!-- results:end -->
      ## Another section
      Text after.
      """;

  @Test
  void replaceBlockKeepsTheRestOfThePage() {
    String page = DocsPage.replaceBlock(PAGE, "results", "new figures\nsecond line");

    assertThat(page).isEqualTo("""
        # Title
        Text before.
        <!-- results:begin -->
        new figures
        second line
        <!-- results:end -->
        ## Another section
        Text after.
        """);
  }

  @Test
  void replaceBlockTwiceGivesSamePage() {
    String once = DocsPage.replaceBlock(PAGE, "results", "figures\n");

    assertThat(DocsPage.replaceBlock(once, "results", "figures\n")).isEqualTo(once);
  }

  @Test
  void missingMarkerNamesIt() {
    assertThatThrownBy(() -> DocsPage.replaceBlock("# no markers\n", "results", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<!-- results:begin -->");
  }

  @Test
  void repeatedMarkerIsRejected() {
    String page = PAGE + "<!-- results:end -->\n";

    assertThatThrownBy(() -> DocsPage.replaceBlock(page, "results", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than once");
  }

  @Test
  void endBeforeBeginIsRejected() {
    String page = "<!-- results:end -->\n<!-- results:begin -->\n";

    assertThatThrownBy(() -> DocsPage.replaceBlock(page, "results", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("swap");
  }
}
