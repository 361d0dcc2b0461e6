package org.mobilessh.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** Every exit code mobilessh uses, in one place; {@link #helpList} puts them in {@code --help}. */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;
  public static final int DRIFT = 3;
  public static final int BAD_INPUT = 4;
  public static final int NOT_FOUND = 5;

  /** The codes and what they mean, in the order {@code --help} lists them. */
  public static Map<String, String> helpList() {
    Map<String, String> codes = new LinkedHashMap<>();
    codes.put(" " + OK, "Success.");
    codes.put(
        " " + FAILURE,
        "Failure: a system tool, file or the kernel refused; the message says which.");
    codes.put(" " + USAGE, "Usage error: an option or a config value is invalid.");
    codes.put(
        " " + DRIFT,
        "`rules check` found the live ruleset unsound or drifted from the configuration.");
    codes.put(
        " " + BAD_INPUT, "Some input records were bad (quarantined); the good ones were kept.");
    codes.put(" " + NOT_FOUND, "Nothing matched (search, audit queries).");
    return codes;
  }

  private ExitCodes() {}
}
