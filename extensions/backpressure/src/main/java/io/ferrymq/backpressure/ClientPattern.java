package io.ferrymq.backpressure;

import java.util.regex.Pattern;

/** A glob pattern over client ids or usernames: {@code *} matches any run of characters, {@code ?} one character. */
public final class ClientPattern {

  private final String text;
  private final Pattern regex;

  private ClientPattern(String text, Pattern regex) {
    this.text = text;
    this.regex = regex;
  }

  public static ClientPattern parse(String glob) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*' || c == '?') {
        if (literal.length() > 0) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        regex.append(c == '*' ? ".*" : ".");
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      regex.append(Pattern.quote(literal.toString()));
    }
    return new ClientPattern(glob, Pattern.compile(regex.toString(), Pattern.DOTALL));
  }

  public boolean matches(String value) {
    return regex.matcher(value).matches();
  }

  @Override
  public String toString() {
    return text;
  }
}
