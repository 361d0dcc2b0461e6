package org.mobilessh.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.lucene.search.Query;
import org.mobilessh.index.EventSearcher;
import org.mobilessh.index.HitWriter;
import org.mobilessh.index.QuerySyntaxException;
import org.mobilessh.index.QueryTranslator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mobilessh search}: Lucene query syntax over the event index. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Search the ingested events with Lucene query syntax; hits are sorted by time.",
      "Fields (ECS name or alias): @timestamp|time, event.action|action, source.ip|src,"
          + " destination.ip|dst, ip (either address), source.port|sport,"
          + " destination.port|dport, port (either), network.transport|proto,"
          + " network.type|family, observer.hostname|host, observer.ingress.interface.name|in,"
          + " observer.egress.interface.name|out, event.dataset|dataset, conntrack.id|ctid,"
          + " conntrack.state|state, network.bytes|bytes, event.reason|reason.",
      "Examples: action:reject   src:203.0.113.0/24   dst:2001:db8::/32   dport:[1 TO 1024]"
          + "   time:[2026-11-01T00:00:00Z TO 2026-12-01T00:00:00Z]   time:2026-11-27"
          + "   (action:accept OR action:set) AND host:router1   2001:db8:10::10",
      "Terms are ANDed unless OR is written. Times without an offset are UTC; a day, minute or"
          + " second means all of it. Quarantined lines are only searched with"
          + " action:quarantine. An empty query matches every event."
    })
final class SearchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin IndexOption index;

  @Option(names = "--count", description = "Print only the number of matching events.")
  boolean count;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "100",
      description = "Show at most N hits, earliest first (0: all). Default: ${DEFAULT-VALUE}.")
  int limit;

  @Option(
      names = "--format",
      paramLabel = "table|csv|json",
      defaultValue = "table",
      description = "Output format (json: one object per line). Default: ${DEFAULT-VALUE}.")
  String format;

  @Parameters(paramLabel = "QUERY", arity = "0..*", description = "The query (words are joined).")
  List<String> query = List.of();

  @Override
  public Integer call() {
    if (limit < 0) {
      throw new IllegalArgumentException("--limit must be 0 (all) or more, not " + limit);
    }
    HitWriter.Format outputFormat = HitWriter.Format.parse(format);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String text = String.join(" ", query);
    Query q;
    try {
      q = QueryTranslator.parse(text);
    } catch (QuerySyntaxException e) {
      err.println(spec.qualifiedName(" ") + ": " + e.getMessage());
      err.flush();
      return ExitCodes.USAGE;
    }
    try (EventSearcher searcher = EventSearcher.open(index.path())) {
      long total = searcher.count(q);
      if (count) {
        out.println(total);
        out.flush();
        return total == 0 ? ExitCodes.NOT_FOUND : ExitCodes.OK;
      }
      if (limit == 0 && outputFormat != HitWriter.Format.TABLE && total > 0) {
        // every match: streamed in time order, never all in memory
        HitWriter.Sink sink = HitWriter.sink(outputFormat, out);
        searcher.forEach(q, sink);
        sink.close();
        return ExitCodes.OK;
      }
      int wanted = limit == 0 ? (int) Math.min(total, Integer.MAX_VALUE - 8) : limit;
      List<EventSearcher.Hit> hits = searcher.search(q, wanted);
      // CSV keeps its header when nothing matched, as the audit commands' CSV does: a script
      // reading the file finds the columns, and no rows
      if (total > 0 || outputFormat == HitWriter.Format.CSV) {
        HitWriter.write(hits, outputFormat, out);
      }
      if (hits.size() < total) {
        err.println(hits.size() + " of " + total + " matches shown (--limit " + limit + ")");
      } else if (total == 0) {
        err.println("no matches");
      }
      err.flush();
      return total == 0 ? ExitCodes.NOT_FOUND : ExitCodes.OK;
    }
  }
}
