package org.mobilessh.parse;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which LOG prefix means which mobilessh step. Prefixes are compared as printed, ignoring trailing
 * spaces and an optional trailing colon, so {@code mobilessh-set}, {@code mobilessh-set:} and
 * {@code "mobilessh-set: "} are the same key. Lines with any other prefix (or none) are {@link
 * Action#FIREWALL}.
 */
public final class PrefixMap {
  private final Map<String, Action> byWord;
  private final String[] words;
  private final Action[] actions;

  private PrefixMap(Map<String, Action> byWord) {
    this.byWord = Map.copyOf(byWord);
    this.words = byWord.keySet().toArray(new String[0]);
    this.actions = byWord.values().toArray(new Action[0]);
  }

  /** The prefixes the bundled ruleset renders by default. */
  public static PrefixMap defaults() {
    return of("mobilessh-set:", "mobilessh-remove:", "mobilessh-accept:", "mobilessh-reject:");
  }

  /** A map from the four configured prefixes (with or without the colon). */
  public static PrefixMap of(String set, String remove, String accept, String reject) {
    Map<String, Action> m = new LinkedHashMap<>();
    put(m, set, Action.SET);
    put(m, remove, Action.REMOVE);
    put(m, accept, Action.ACCEPT);
    put(m, reject, Action.REJECT);
    return new PrefixMap(m);
  }

  private static void put(Map<String, Action> m, String prefix, Action action) {
    String word = word(prefix, 0, prefix.length());
    if (word.isEmpty()) {
      throw new IllegalArgumentException("empty log prefix for " + action.ecsName());
    }
    Action old = m.put(word, action);
    if (old != null) {
      throw new IllegalArgumentException(
          "log prefix '"
              + prefix
              + "' used for both "
              + old.ecsName()
              + " and "
              + action.ecsName());
    }
  }

  /** The action for the prefix text at {@code [from, to)} of {@code line}. */
  Action actionFor(String line, int from, int to) {
    while (to > from && line.charAt(to - 1) == ' ') {
      to--;
    }
    if (to > from && line.charAt(to - 1) == ':') {
      to--;
    }
    while (from < to && line.charAt(from) == ' ') {
      from++;
    }
    // a handful of prefixes: comparing regions beats building a key string per line
    for (int i = 0; i < words.length; i++) {
      if (words[i].length() == to - from && line.startsWith(words[i], from)) {
        return actions[i];
      }
    }
    return Action.FIREWALL;
  }

  /** The action for a prefix as printed. */
  public Action actionFor(String prefix) {
    return actionFor(prefix, 0, prefix.length());
  }

  private static String word(String s, int from, int to) {
    while (to > from && s.charAt(to - 1) == ' ') {
      to--;
    }
    if (to > from && s.charAt(to - 1) == ':') {
      to--;
    }
    while (from < to && s.charAt(from) == ' ') {
      from++;
    }
    return s.substring(from, to);
  }

  /** Every prefix word and its step, sorted by word (a stable text for cache keys). */
  public java.util.SortedMap<String, Action> entries() {
    return java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(byWord));
  }

  @Override
  public String toString() {
    return "PrefixMap" + byWord;
  }
}
