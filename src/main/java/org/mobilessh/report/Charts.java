package org.mobilessh.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Rectangle;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGHints;
import org.mobilessh.rules.Family;

/**
 * The report's charts, drawn by JFreeChart into SVG with JFreeSVG: vectors in the PDF (through
 * openhtmltopdf's SVG support) and in the HTML. Text is drawn as outlines, so a chart looks the
 * same whatever fonts the viewer has; element ids get a per-chart prefix, so several charts can be
 * inlined in one document, and the output is the same for the same data.
 */
public final class Charts {
  static final int WIDTH = 640;
  static final int HEIGHT = 250;

  private static final Color INK = new Color(0x22, 0x2b, 0x36);
  private static final Color GRID = new Color(0xd5, 0xdb, 0xe1);
  private static final Color[] SERIES = {
    new Color(0x1f, 0x5f, 0x99), new Color(0xe0, 0x8a, 0x1e), new Color(0xb0, 0x30, 0x30)
  };

  /**
   * One drawn chart.
   *
   * @param svg the {@code <svg>} element
   * @param title its caption
   * @param query how to reproduce its data
   */
  public record Chart(String svg, String title, String query) {}

  /**
   * The font chart text is drawn with (as outlines): DejaVu Sans, or for {@code --lang ja} the
   * Japanese font the PDF embeds, loaded from the same files so the charts do not depend on the
   * JVM's font configuration; Java's logical sans-serif font when those files are missing (HTML).
   */
  static Font font(ReportRequest req) {
    Path file = null;
    if (req.lang().equals("ja")) {
      file = PdfOutput.cjkFont(false);
    } else {
      try {
        file = PdfOutput.fontDir().resolve("DejaVuSans.ttf");
      } catch (ReportException e) {
        // no DejaVu: HTML output still works, with the JVM's font
      }
    }
    if (file != null) {
      try {
        return Font.createFont(Font.TRUETYPE_FONT, file.toFile());
      } catch (java.awt.FontFormatException | java.io.IOException e) {
        throw new ReportException("cannot load font " + file + ": " + e.getMessage(), e);
      }
    }
    return new Font(Font.SANS_SERIF, Font.PLAIN, 10);
  }

  /** Every chart of the report for {@code month}, by name, in report order. */
  public static Map<String, Chart> draw(
      MonthTally result, YearMonth month, ReportModel.Queries q, Messages msg, Font font) {
    Charts c = new Charts(msg, font);
    Map<String, Chart> charts = new LinkedHashMap<>();
    charts.put(
        "perDay",
        new Chart(
            c.perDay(result, month),
            msg.get("chart.perDay.title"),
            q.audit("windows") + " --format csv ; " + q.audit("sessions") + " --format csv"));
    charts.put(
        "rejectionsPerDay",
        new Chart(
            c.rejectionsPerDay(result, month),
            msg.get("chart.rejectionsPerDay.title"),
            q.command("action:reject") + " " + msg.get("chart.perDayNote")));
    charts.put(
        "durations",
        new Chart(
            c.durations(result.durationBuckets()),
            msg.get("chart.durations.title"),
            q.audit("windows") + " --format csv (duration_s)"));
    charts.put(
        "heatmap",
        new Chart(
            c.heatmap(result.heat()),
            msg.get("chart.heatmap.title"),
            q.audit("windows") + " --format csv (opened_at)"));
    charts.put(
        "families",
        new Chart(
            c.families(result),
            msg.get("chart.families.title"),
            q.command("family:ipv4 AND action:reject")
                + " ; "
                + q.command("family:ipv6 AND action:reject")));
    return charts;
  }

  private final Messages msg;
  private final Font font;

  private Charts(Messages msg, Font font) {
    this.msg = msg;
    this.font = font;
  }

  String perDay(MonthTally r, YearMonth month) {
    Map<LocalDate, long[]> per = r.perDay();
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    for (LocalDate d = month.atDay(1); !d.isAfter(month.atEndOfMonth()); d = d.plusDays(1)) {
      long[] v = per.getOrDefault(d, new long[3]);
      String day = String.format("%02d", d.getDayOfMonth());
      ds.addValue(v[0], msg.get("chart.series.windows"), day);
      ds.addValue(v[1], msg.get("chart.series.sessions"), day);
    }
    return svg(bars(ds, msg.get("chart.axis.day"), msg.get("chart.axis.count"), true), "perday");
  }

  String rejectionsPerDay(MonthTally r, YearMonth month) {
    Map<LocalDate, long[]> per = r.perDay();
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    for (LocalDate d = month.atDay(1); !d.isAfter(month.atEndOfMonth()); d = d.plusDays(1)) {
      ds.addValue(
          per.getOrDefault(d, new long[3])[2],
          msg.get("chart.series.rejections"),
          String.format("%02d", d.getDayOfMonth()));
    }
    JFreeChart c = bars(ds, msg.get("chart.axis.day"), msg.get("chart.axis.lines"), false);
    ((BarRenderer) c.getCategoryPlot().getRenderer()).setSeriesPaint(0, SERIES[2]);
    return svg(c, "rejects");
  }

  /** Upper bounds (seconds) of the duration buckets and their labels. */
  static final long[] BUCKETS = {60, 300, 900, 3600, 4 * 3600, Long.MAX_VALUE};

  /** The duration histogram: windows per {@link #BUCKETS} bucket (see {@link MonthTally}). */
  String durations(long[] n) {
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    for (int i = 0; i < n.length; i++) {
      ds.addValue(n[i], msg.get("chart.series.windows"), msg.get("chart.bucket." + i));
    }
    JFreeChart c = bars(ds, msg.get("chart.axis.duration"), msg.get("chart.axis.windows"), false);
    c.getCategoryPlot().getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
    return svg(c, "durations");
  }

  /** Windows opened in the month per weekday (0 = Monday) and hour (see {@link MonthTally}). */
  String heatmap(long[][] h) {
    long max = 1;
    double[] xs = new double[7 * 24];
    double[] ys = new double[7 * 24];
    double[] zs = new double[7 * 24];
    int i = 0;
    for (int d = 0; d < 7; d++) {
      for (int hour = 0; hour < 24; hour++) {
        xs[i] = hour;
        ys[i] = d;
        zs[i] = h[d][hour];
        max = Math.max(max, h[d][hour]);
        i++;
      }
    }
    DefaultXYZDataset ds = new DefaultXYZDataset();
    ds.addSeries(msg.get("chart.legend.windowsOpened"), new double[][] {xs, ys, zs});
    NumberAxis x = new NumberAxis(msg.get("chart.axis.hour"));
    x.setRange(-0.5, 23.5);
    x.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(2));
    String[] days = new String[7];
    for (int d = 0; d < 7; d++) {
      days[d] = msg.get("day." + DayOfWeek.of(d + 1).getValue());
    }
    SymbolAxis y = new SymbolAxis(null, days);
    y.setInverted(true);
    y.setGridBandsVisible(false);
    XYBlockRenderer r = new XYBlockRenderer();
    LookupPaintScale scale = new LookupPaintScale(0, max + 1, Color.WHITE);
    scale.add(0, new Color(0xf4, 0xf6, 0xf8));
    for (int k = 1; k <= 5; k++) {
      double from = 1 + (max - 1) * (k - 1) / 5.0;
      scale.add(from, blend(new Color(0xc6, 0xdb, 0xef), SERIES[0], (k - 1) / 4.0));
    }
    r.setPaintScale(scale);
    XYPlot plot = new XYPlot(ds, x, y, r);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    plot.setOutlinePaint(GRID);
    JFreeChart c = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    NumberAxis legendAxis = new NumberAxis(msg.get("chart.legend.windowsOpened"));
    legendAxis.setRange(0, max + 1);
    legendAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    axis(legendAxis, font.deriveFont(Font.PLAIN, 9f), font.deriveFont(Font.PLAIN, 10f));
    PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setMargin(new RectangleInsets(4, 8, 4, 4));
    legend.setStripWidth(10);
    c.addSubtitle(legend);
    style(c);
    return svg(c, "heat");
  }

  String families(MonthTally r) {
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    for (Family f : List.of(Family.IPV4, Family.IPV6)) {
      String name = f == Family.IPV4 ? "IPv4" : "IPv6";
      long[] n = r.perFamily(f);
      ds.addValue(n[0], name, msg.get("chart.series.windows"));
      ds.addValue(n[1], name, msg.get("chart.series.sessions"));
      ds.addValue(n[2], name, msg.get("chart.series.rejections"));
    }
    JFreeChart c = bars(ds, null, msg.get("chart.axis.count"), true);
    c.getCategoryPlot().getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
    return svg(c, "family");
  }

  private JFreeChart bars(DefaultCategoryDataset ds, String xLabel, String yLabel, boolean legend) {
    CategoryAxis x = new CategoryAxis(xLabel);
    x.setCategoryMargin(0.15);
    x.setLowerMargin(0.01);
    x.setUpperMargin(0.01);
    x.setCategoryLabelPositions(CategoryLabelPositions.UP_90);
    NumberAxis y = new NumberAxis(yLabel);
    y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    BarRenderer r = new BarRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setItemMargin(0.02);
    for (int i = 0; i < SERIES.length; i++) {
      r.setSeriesPaint(i, SERIES[i]);
    }
    CategoryPlot p = new CategoryPlot(ds, x, y, r);
    p.setOrientation(PlotOrientation.VERTICAL);
    p.setBackgroundPaint(Color.WHITE);
    p.setRangeGridlinePaint(GRID);
    p.setRangeGridlineStroke(new BasicStroke(0.5f));
    p.setOutlineVisible(false);
    JFreeChart c = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, p, legend);
    if (legend) {
      c.getLegend().setFrame(BlockBorder.NONE);
      c.getLegend().setItemFont(font.deriveFont(Font.PLAIN, 10f));
    }
    style(c);
    return c;
  }

  private void style(JFreeChart c) {
    c.setBackgroundPaint(Color.WHITE);
    c.setAntiAlias(true);
    c.setPadding(new RectangleInsets(4, 4, 4, 4));
    Font tick = font.deriveFont(Font.PLAIN, 9f);
    Font label = font.deriveFont(Font.PLAIN, 10f);
    if (c.getPlot() instanceof CategoryPlot p) {
      axis(p.getDomainAxis(), tick, label);
      axis(p.getRangeAxis(), tick, label);
    } else if (c.getPlot() instanceof XYPlot p) {
      axis(p.getDomainAxis(), tick, label);
      axis(p.getRangeAxis(), tick, label);
    }
  }

  private static void axis(org.jfree.chart.axis.Axis a, Font tick, Font label) {
    a.setTickLabelFont(tick);
    a.setLabelFont(label);
    a.setTickLabelPaint(INK);
    a.setLabelPaint(INK);
    a.setAxisLinePaint(INK);
  }

  private static Paint blend(Color a, Color b, double t) {
    return new Color(
        (int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * t),
        (int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
        (int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
  }

  private static String svg(JFreeChart chart, String id) {
    SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
    // the default prefix is time-based: fixed ones keep the output reproducible and the ids of
    // several inlined charts apart
    g.setDefsKeyPrefix("c" + id);
    g.setRenderingHint(SVGHints.KEY_DRAW_STRING_TYPE, SVGHints.VALUE_DRAW_STRING_TYPE_VECTOR);
    chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
    // openhtmltopdf wants integer dimensions; the view box lets a browser scale the chart
    return g.getSVGElement("chart-" + id)
        .replaceFirst(
            "width='[0-9.]+' height='[0-9.]+'",
            "width='"
                + WIDTH
                + "' height='"
                + HEIGHT
                + "' viewBox='0 0 "
                + WIDTH
                + " "
                + HEIGHT
                + "'");
  }
}
