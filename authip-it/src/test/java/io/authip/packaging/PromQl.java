package io.authip.packaging;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of Prometheus to show an alert firing and not firing on synthetic series: a store of scraped samples
 * (with staleness markers when a target disappears), and an evaluator for the PromQL the authip alerts use: vector
 * selectors with matchers and {@code offset}, {@code min_over_time}, {@code max_over_time} and {@code increase}
 * (with Prometheus' extrapolation) over range selectors, {@code max}/{@code min}/{@code sum} {@code by}, filtering
 * comparisons with a number, and {@code and} with or without {@code on}. Anything else is a parse error, so an alert
 * using it cannot pass unnoticed. Rules are evaluated every {@link #EVALUATION_INTERVAL} seconds with Prometheus'
 * {@code for} semantics (pending from the first true evaluation, firing once true for the hold time).
 */
final class PromQl {

  static final long SCRAPE_INTERVAL = 30;
  static final long EVALUATION_INTERVAL = 30;
  static final long LOOKBACK = 300;
  /** Prometheus writes this NaN when a series vanishes from its target; a selector then sees nothing. */
  private static final long STALE_BITS = 0x7ff0000000000002L;

  private PromQl() {
  }

  /** One series' labels (with {@code __name__}) and samples by second. */
  record Series(Map<String, String> labels, NavigableMap<Long, Double> samples) {
  }

  /** A result element: labels and value. */
  record Sample(Map<String, String> labels, double value) {
  }

  /** The scraped samples. */
  static final class Tsdb {
    private final Map<Map<String, String>, Series> series = new LinkedHashMap<>();

    /**
     * Scrapes the series every {@link #SCRAPE_INTERVAL} seconds from {@code from} to {@code to} (inclusive); the
     * value function may answer null for "not exported at that scrape". A staleness marker follows the last sample,
     * as Prometheus writes when the series is gone from the next scrape.
     */
    Tsdb scrape(String name, Map<String, String> targetLabels, long from, long to, LongFunction<Double> value) {
      Map<String, String> labels = new TreeMap<>(targetLabels);
      labels.put("__name__", name);
      Series s = series.computeIfAbsent(labels, l -> new Series(l, new TreeMap<>()));
      boolean present = false;
      for (long t = from; t <= to; t += SCRAPE_INTERVAL) {
        Double v = value.apply(t);
        if (v != null) {
          s.samples().put(t, v);
        } else if (present) {
          s.samples().put(t, Double.longBitsToDouble(STALE_BITS));
        }
        present = v != null;
      }
      if (present) {
        s.samples().put(to + SCRAPE_INTERVAL, Double.longBitsToDouble(STALE_BITS));
      }
      return this;
    }

    Iterable<Series> all() {
      return series.values();
    }
  }

  static boolean stale(double v) {
    return Double.doubleToRawLongBits(v) == STALE_BITS;
  }

  // ---- alerts ----------------------------------------------------------------------------------------------------

  /**
   * The label sets of the alert's firing instances at each evaluation from 0 to {@code until} seconds.
   *
   * @return evaluation time -> firing label sets (without {@code __name__})
   */
  static NavigableMap<Long, Set<Map<String, String>>> firing(String expr, String holdFor, Tsdb db, long until) {
    Node node = new Parser(expr).parseAll();
    long hold = seconds(holdFor);
    Map<Map<String, String>, Long> activeSince = new HashMap<>();
    NavigableMap<Long, Set<Map<String, String>>> out = new TreeMap<>();
    for (long t = 0; t <= until; t += EVALUATION_INTERVAL) {
      Map<Map<String, String>, Long> next = new HashMap<>();
      Set<Map<String, String>> firing = new java.util.LinkedHashSet<>();
      for (Sample s : node.eval(db, t)) {
        Map<String, String> labels = new TreeMap<>(s.labels());
        labels.remove("__name__");
        long since = activeSince.getOrDefault(labels, t);
        next.put(labels, since);
        if (t - since >= hold) {
          firing.add(labels);
        }
      }
      activeSince.clear();
      activeSince.putAll(next);
      out.put(t, firing);
    }
    return out;
  }

  static long seconds(String duration) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(duration);
    long total = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        break;
      }
      long n = Long.parseLong(m.group(1));
      total += switch (m.group(2)) {
        case "ms" -> n / 1000;
        case "s" -> n;
        case "m" -> n * 60;
        case "h" -> n * 3600;
        default -> n * 86400;
      };
      end = m.end();
    }
    if (end != duration.length() || end == 0) {
      throw new IllegalArgumentException("not a Prometheus duration: '" + duration + "'");
    }
    return total;
  }

  // ---- the expression tree ---------------------------------------------------------------------------------------

  interface Node {
    List<Sample> eval(Tsdb db, long t);
  }

  record Matcher1(String label, String op, String value) {
    boolean matches(Map<String, String> labels) {
      String v = labels.getOrDefault(label, "");
      return switch (op) {
        case "=" -> v.equals(value);
        case "!=" -> !v.equals(value);
        case "=~" -> v.matches(value);
        default -> !v.matches(value);
      };
    }
  }

  /** {@code name{matchers} offset o}, optionally {@code [range]} (then only inside a function). */
  record Selector(String name, List<Matcher1> matchers, long offset, long range) implements Node {
    boolean matches(Series s) {
      return s.labels().get("__name__").equals(name) && matchers.stream().allMatch(m -> m.matches(s.labels()));
    }

    @Override
    public List<Sample> eval(Tsdb db, long t) {
      if (range > 0) {
        throw new IllegalArgumentException("a range selector needs a function: " + name);
      }
      List<Sample> out = new ArrayList<>();
      for (Series s : db.all()) {
        if (!matches(s)) {
          continue;
        }
        Map.Entry<Long, Double> last = s.samples().floorEntry(t - offset);
        if (last != null && last.getKey() > t - offset - LOOKBACK && !stale(last.getValue())) {
          out.add(new Sample(s.labels(), last.getValue()));
        }
      }
      return out;
    }

    /** Samples in (t - offset - range, t - offset], staleness markers left out. */
    List<Map.Entry<Series, NavigableMap<Long, Double>>> windows(Tsdb db, long t) {
      List<Map.Entry<Series, NavigableMap<Long, Double>>> out = new ArrayList<>();
      for (Series s : db.all()) {
        if (!matches(s)) {
          continue;
        }
        NavigableMap<Long, Double> w = new TreeMap<>();
        s.samples().subMap(t - offset - range, false, t - offset, true).forEach((k, v) -> {
          if (!stale(v)) {
            w.put(k, v);
          }
        });
        if (!w.isEmpty()) {
          out.add(Map.entry(s, w));
        }
      }
      return out;
    }
  }

  record Function(String name, Selector arg) implements Node {
    @Override
    public List<Sample> eval(Tsdb db, long t) {
      List<Sample> out = new ArrayList<>();
      for (var e : arg.windows(db, t)) {
        Map<String, String> labels = new TreeMap<>(e.getKey().labels());
        labels.remove("__name__");
        NavigableMap<Long, Double> w = e.getValue();
        switch (name) {
          case "min_over_time" -> out.add(new Sample(labels, w.values().stream().mapToDouble(d -> d).min()
              .orElseThrow()));
          case "max_over_time" -> out.add(new Sample(labels, w.values().stream().mapToDouble(d -> d).max()
              .orElseThrow()));
          case "increase" -> {
            if (w.size() >= 2) {
              out.add(new Sample(labels, increase(w, t - arg.offset() - arg.range(), t - arg.offset())));
            }
          }
          default -> throw new IllegalArgumentException("unsupported function " + name);
        }
      }
      return out;
    }

    /** Prometheus' extrapolatedRate for a counter, as increase() computes it. */
    static double increase(NavigableMap<Long, Double> w, long rangeStart, long rangeEnd) {
      double first = w.firstEntry().getValue();
      double result = 0;
      double previous = first;
      for (double v : w.values()) {
        result += v < previous ? v : v - previous;
        previous = v;
      }
      double sampled = w.lastKey() - w.firstKey();
      double average = sampled / (w.size() - 1);
      double toStart = w.firstKey() - rangeStart;
      double toEnd = rangeEnd - w.lastKey();
      if (result > 0 && first >= 0) {
        toStart = Math.min(toStart, sampled * (first / result));
      }
      double threshold = average * 1.1;
      double interval = sampled + (toStart < threshold ? toStart : average / 2) + (toEnd < threshold ? toEnd
          : average / 2);
      return result * (interval / sampled);
    }
  }

  record Aggregation(String op, List<String> by, Node arg) implements Node {
    @Override
    public List<Sample> eval(Tsdb db, long t) {
      Map<Map<String, String>, List<Double>> groups = new LinkedHashMap<>();
      for (Sample s : arg.eval(db, t)) {
        Map<String, String> key = new TreeMap<>();
        by.forEach(l -> {
          if (s.labels().containsKey(l)) {
            key.put(l, s.labels().get(l));
          }
        });
        groups.computeIfAbsent(key, k -> new ArrayList<>()).add(s.value());
      }
      List<Sample> out = new ArrayList<>();
      groups.forEach((k, values) -> out.add(new Sample(k, switch (op) {
        case "max" -> values.stream().mapToDouble(d -> d).max().orElseThrow();
        case "min" -> values.stream().mapToDouble(d -> d).min().orElseThrow();
        default -> values.stream().mapToDouble(d -> d).sum();
      })));
      return out;
    }
  }

  record Comparison(Node left, String op, double number) implements Node {
    @Override
    public List<Sample> eval(Tsdb db, long t) {
      return left.eval(db, t).stream().filter(s -> switch (op) {
        case "==" -> s.value() == number;
        case "!=" -> s.value() != number;
        case ">" -> s.value() > number;
        case "<" -> s.value() < number;
        case ">=" -> s.value() >= number;
        default -> s.value() <= number;
      }).toList();
    }
  }

  /** {@code left and [on (labels)] right}: the left elements that have a match on the right. */
  record And(Node left, List<String> on, Node right) implements Node {
    @Override
    public List<Sample> eval(Tsdb db, long t) {
      Set<Map<String, String>> keys = new java.util.HashSet<>();
      right.eval(db, t).forEach(s -> keys.add(signature(s.labels())));
      return left.eval(db, t).stream().filter(s -> keys.contains(signature(s.labels()))).toList();
    }

    private Map<String, String> signature(Map<String, String> labels) {
      Map<String, String> sig = new TreeMap<>();
      labels.forEach((k, v) -> {
        if (on == null ? !k.equals("__name__") : on.contains(k)) {
          sig.put(k, v);
        }
      });
      return sig;
    }
  }

  // ---- the parser ------------------------------------------------------------------------------------------------

  static final class Parser {
    private static final Pattern TOKEN = Pattern.compile("\\s*(\"(?:[^\"\\\\]|\\\\.)*\""
        + "|=~|!~|==|!=|>=|<=|[(){}\\[\\],=<>]|[0-9]+(?:ms|s|m|h|d)(?![a-zA-Z_])|[0-9]+(?:\\.[0-9]+)?"
        + "|[a-zA-Z_:][a-zA-Z0-9_:]*)");

    private final List<String> tokens = new ArrayList<>();
    private int pos;

    Parser(String expr) {
      Matcher m = TOKEN.matcher(expr);
      int end = 0;
      while (end < expr.length() && m.find(end) && m.start() == end) {
        tokens.add(m.group(1));
        end = m.end();
      }
      if (!expr.substring(end).isBlank()) {
        throw new IllegalArgumentException("cannot read '" + expr.substring(end) + "' in " + expr);
      }
    }

    Node parseAll() {
      Node n = expr();
      if (pos != tokens.size()) {
        throw new IllegalArgumentException("unexpected '" + tokens.get(pos) + "'");
      }
      return n;
    }

    private Node expr() {
      Node left = comparison();
      while (peek("and")) {
        pos++;
        List<String> on = null;
        if (peek("on")) {
          pos++;
          on = labels();
        }
        left = new And(left, on, comparison());
      }
      return left;
    }

    private Node comparison() {
      Node left = unary();
      if (peek("==") || peek("!=") || peek(">") || peek("<") || peek(">=") || peek("<=")) {
        String op = tokens.get(pos++);
        return new Comparison(left, op, Double.parseDouble(next()));
      }
      return left;
    }

    private Node unary() {
      String t = next();
      if (t.equals("(")) {
        Node inner = expr();
        expect(")");
        return inner;
      }
      if (List.of("max", "min", "sum").contains(t)) {
        List<String> by = List.of();
        if (peek("by")) {
          pos++;
          by = labels();
        }
        expect("(");
        Node arg = expr();
        expect(")");
        return new Aggregation(t, by, arg);
      }
      if (List.of("min_over_time", "max_over_time", "increase").contains(t)) {
        expect("(");
        Selector s = selector(next());
        expect(")");
        if (s.range() == 0) {
          throw new IllegalArgumentException(t + " needs a range selector");
        }
        return new Function(t, s);
      }
      if (peek("(")) {
        throw new IllegalArgumentException("unsupported function " + t);
      }
      Selector s = selector(t);
      if (s.range() > 0) {
        throw new IllegalArgumentException("a range selector needs a function: " + t);
      }
      return s;
    }

    private Selector selector(String name) {
      if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
        throw new IllegalArgumentException("not a metric name: '" + name + "'");
      }
      List<Matcher1> matchers = new ArrayList<>();
      if (peek("{")) {
        pos++;
        while (!peek("}")) {
          String label = next();
          String op = next();
          String value = next();
          matchers.add(new Matcher1(label, op, value.substring(1, value.length() - 1)));
          if (peek(",")) {
            pos++;
          }
        }
        pos++;
      }
      long range = 0;
      if (peek("[")) {
        pos++;
        range = seconds(next());
        expect("]");
      }
      long offset = 0;
      if (peek("offset")) {
        pos++;
        offset = seconds(next());
      }
      return new Selector(name, matchers, offset, range);
    }

    private List<String> labels() {
      expect("(");
      List<String> out = new ArrayList<>();
      while (!peek(")")) {
        out.add(next());
        if (peek(",")) {
          pos++;
        }
      }
      pos++;
      return out;
    }

    private boolean peek(String s) {
      return pos < tokens.size() && tokens.get(pos).equals(s);
    }

    private String next() {
      if (pos >= tokens.size()) {
        throw new IllegalArgumentException("the expression ends too early");
      }
      return tokens.get(pos++);
    }

    private void expect(String s) {
      String t = next();
      if (!t.equals(s)) {
        throw new IllegalArgumentException("expected '" + s + "', found '" + t + "'");
      }
    }
  }
}
