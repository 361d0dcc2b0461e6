package org.mobilessh.report;

import freemarker.cache.ClassTemplateLoader;
import freemarker.cache.FileTemplateLoader;
import freemarker.cache.MultiTemplateLoader;
import freemarker.cache.TemplateLoader;
import freemarker.core.HTMLOutputFormat;
import freemarker.core.TemplateClassResolver;
import freemarker.template.Configuration;
import freemarker.template.SimpleObjectWrapper;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.regex.Pattern;

/**
 * Finds a report template and renders it in a sandbox.
 *
 * <p>Lookup: {@code --template DIR} (or a file in it) is searched first, then the bundled template
 * of the same name shipped from {@code report-templates/}, so a branded copy may hold only the
 * files it changes ({@code brand.ftl}, {@code style.css}). A bare name selects a bundled template.
 * The main file is {@code report.ftlh}.
 *
 * <p>Sandbox: templates come from users, so they get no way out: {@code ?new} resolves no class,
 * {@code ?api} is off, the data model is plain strings, numbers, booleans, lists and maps (a {@link
 * SimpleObjectWrapper} refuses anything else, so no Java method is reachable), includes cannot
 * leave the template directory, and output is HTML with auto-escaping.
 */
public final class Templates {
  /** The main template file of every template directory. */
  public static final String MAIN = "report.ftlh";

  /** The bundled template used when none is named. */
  public static final String DEFAULT = "default";

  private static final String BUNDLED = "/org/mobilessh/report/templates";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  private final Configuration cfg;
  private final String main;
  private final String description;
  private final Path userDir;
  private final String bundledName;

  private Templates(
      Configuration cfg, String main, String description, Path userDir, String bundledName) {
    this.cfg = cfg;
    this.main = main;
    this.description = description;
    this.userDir = userDir;
    this.bundledName = bundledName;
  }

  /** A file of the bundled template as text (UTF-8), or {@code null} when it has none. */
  String bundledText(String name) {
    try (java.io.InputStream in =
        Templates.class.getResourceAsStream(BUNDLED + "/" + bundledName + "/" + name)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ReportException("cannot read bundled " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * A file of the user's template directory as text (UTF-8), or {@code null} when there is no user
   * template or it has no such file.
   */
  String userText(String name) {
    if (userDir == null || !NAME.matcher(name).matches()) {
      return null;
    }
    Path f = userDir.resolve(name);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    try {
      return Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ReportException("cannot read " + f + ": " + e.getMessage(), e);
    }
  }

  /**
   * The URI relative links in the template resolve against (its directory, so a logo can sit next
   * to it), or {@code null} for a bundled template.
   */
  public String baseUri() {
    return userDir == null ? null : userDir.toAbsolutePath().normalize().toUri().toString();
  }

  /**
   * The template {@code spec} names: an existing directory (its {@code report.ftlh}), an existing
   * {@code .ftlh} file, or the name of a bundled template; {@code null} for the bundled default.
   */
  public static Templates find(String spec) {
    String bundledName = DEFAULT;
    Path userDir = null;
    String main = MAIN;
    if (spec != null && !spec.isBlank()) {
      Path p = Path.of(spec);
      if (Files.isDirectory(p)) {
        userDir = p;
      } else if (Files.isRegularFile(p)) {
        userDir = p.toAbsolutePath().getParent();
        main = p.getFileName().toString();
      } else if (NAME.matcher(spec).matches() && bundledExists(spec)) {
        bundledName = spec;
      } else {
        throw new ReportException(
            "no template '"
                + spec
                + "': not a directory, not a file, and not a bundled template (bundled: "
                + DEFAULT
                + ")");
      }
    }
    List<TemplateLoader> loaders = new ArrayList<>();
    try {
      if (userDir != null) {
        loaders.add(new FileTemplateLoader(userDir.toFile()));
      }
    } catch (IOException e) {
      throw new ReportException("cannot read template directory " + userDir + ": " + e, e);
    }
    loaders.add(new ClassTemplateLoader(Templates.class, BUNDLED + "/" + bundledName));
    Configuration cfg = sandboxed(new MultiTemplateLoader(loaders.toArray(TemplateLoader[]::new)));
    String description =
        userDir == null
            ? "bundled:" + bundledName
            : userDir.toAbsolutePath().normalize() + " (over bundled:" + bundledName + ")";
    return new Templates(cfg, main, description, userDir, bundledName);
  }

  private static boolean bundledExists(String name) {
    return Templates.class.getResource(BUNDLED + "/" + name + "/" + MAIN) != null;
  }

  static Configuration sandboxed(TemplateLoader loader) {
    Configuration cfg = new Configuration(Configuration.VERSION_2_3_34);
    cfg.setTemplateLoader(loader);
    cfg.setDefaultEncoding("UTF-8");
    cfg.setOutputFormat(HTMLOutputFormat.INSTANCE);
    cfg.setRecognizeStandardFileExtensions(true);
    cfg.setAutoEscapingPolicy(Configuration.ENABLE_IF_SUPPORTED_AUTO_ESCAPING_POLICY);
    cfg.setNewBuiltinClassResolver(TemplateClassResolver.ALLOWS_NOTHING_RESOLVER);
    cfg.setAPIBuiltinEnabled(false);
    cfg.setObjectWrapper(new SimpleObjectWrapper(Configuration.VERSION_2_3_34));
    cfg.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
    cfg.setLogTemplateExceptions(false);
    cfg.setWrapUncheckedExceptions(true);
    cfg.setFallbackOnNullLoopVariable(false);
    // numbers and dates are formatted by the model; whatever a template formats itself must not
    // depend on the machine
    cfg.setLocale(Locale.ROOT);
    cfg.setTimeZone(TimeZone.getTimeZone("UTC"));
    cfg.setNumberFormat("computer");
    return cfg;
  }

  /** Where the template comes from, for the cover and for error messages. */
  public String description() {
    return description;
  }

  /** Renders the main template over {@code model} to (X)HTML text. */
  public String render(Map<String, Object> model) {
    try {
      Template t = cfg.getTemplate(main);
      StringWriter out = new StringWriter();
      t.process(model, out);
      return out.toString();
    } catch (freemarker.template.TemplateNotFoundException e) {
      throw new ReportException("template " + main + " not found in " + description, e);
    } catch (TemplateException e) {
      throw new ReportException(
          "template error in " + description + ": " + firstLines(e.getMessage()), e);
    } catch (IOException e) {
      throw new ReportException("cannot read template in " + description + ": " + e, e);
    }
  }

  private static String firstLines(String m) {
    if (m == null) {
      return "unknown error";
    }
    String[] lines = m.split("\n");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(4, lines.length); i++) {
      if (lines[i].startsWith("----") || lines[i].startsWith("FTL stack")) {
        break;
      }
      b.append(i == 0 ? "" : " ").append(lines[i].trim());
    }
    return b.toString().trim();
  }
}
