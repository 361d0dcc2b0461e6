package org.mobilessh.rules;

import java.util.ArrayList;
import java.util.List;

/** Splits an iptables rule specification into words the way iptables-restore does. */
final class Tokens {
  private Tokens() {}

  /**
   * Words separated by spaces; a double-quoted part is one word without its quotes (LOG prefixes
   * and comments end in a space that must survive).
   */
  static List<String> split(String spec) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean inWord = false;
    for (int i = 0; i < spec.length(); i++) {
      char c = spec.charAt(i);
      if (c == '"') {
        quoted = !quoted;
        inWord = true;
      } else if (c == ' ' && !quoted) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
