package io.authip.bench;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.emulator.ArmEmulator;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.RecordedRequest;
import io.authip.emulator.RequestKind;
import io.authip.emulator.ResourceIds;
import io.authip.emulator.Throttling;
import io.authip.operator.OperatorConfig;
import io.authip.sandbox.LocalEnvironment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The fleet benchmark (issue 6, "Scale and speed"): for each scenario a fresh ARM emulator (operation delay 0) and
 * embedded Kubernetes API in this JVM, the policies created, then {@code authip run} started in a forked JVM of its
 * own; measured: time from that JVM's start to every target InSync, ARM requests by kind against the minimum, the
 * operator's peak heap, RSS and CPU; then two resync intervals of steady state; then, for the 1,000-policy fleet, the
 * latency from a Kubernetes update to the PUT it causes. Run it with {@code bench/fleet.sh}; see docs/benchmarks.md.
 *
 * <p>Not a test: it measures, prints a table and exits non-zero only when a scenario did not converge.
 */
public final class FleetBenchmark {

  /** The scenarios, by command-line name. */
  enum Scenario {
    SINGLE("single", "1 policy, 1 cluster"),
    FLEET_100("fleet100", "100 policies, 1 cluster each"),
    FLEET_1000("fleet1000", "1,000 policies, 1 cluster each"),
    SHARED_100("shared100", "1 policy, 100 clusters sharing 2 egress IPs"),
    S1_1000("1sub-1000", "1,000 clusters in 1 subscription, a policy each"),
    S10_1000("10sub-1000", "1,000 clusters over 10 subscriptions, a policy each"),
    S1_10000("1sub-10000", "10,000 clusters in 1 subscription, a policy each"),
    S10_10000("10sub-10000", "10,000 clusters over 10 subscriptions, a policy each"),
    SELECTOR_1000("selector1000", "1 selector matching 1,000 of 2,000 clusters in 1 subscription");

    /** The scenarios of fleet scale at Azure's limits, run when none is named. */
    static final List<Scenario> AT_AZURE_LIMITS = List.of(S1_1000, S10_1000, SELECTOR_1000, S10_10000, S1_10000);

    final String id;
    final String title;

    Scenario(String id, String title) {
      this.id = id;
      this.title = title;
    }

    Fleet fleet() {
      return switch (this) {
        case SINGLE -> Fleet.onePerPolicy(1);
        case FLEET_100 -> Fleet.onePerPolicy(100);
        case FLEET_1000 -> Fleet.onePerPolicy(1000);
        case SHARED_100 -> Fleet.sharedEgress(100);
        case S1_1000 -> Fleet.spread(1000, 1);
        case S10_1000 -> Fleet.spread(1000, 10);
        case S1_10000 -> Fleet.spread(10000, 1);
        case S10_10000 -> Fleet.spread(10000, 10);
        case SELECTOR_1000 -> Fleet.selected(1000, 1000);
      };
    }

    static Scenario byId(String id) {
      for (Scenario s : values()) {
        if (s.id.equals(id)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown scenario '" + id + "'; one of single, fleet100, fleet1000, "
          + "shared100, 1sub-1000, 10sub-1000, 1sub-10000, 10sub-10000, selector1000");
    }
  }

  /** Settings, from the command line. */
  record Settings(List<Scenario> scenarios, String xmx, Duration resync, Duration poll, int steadyIntervals,
      int edits, Duration timeout, Path outDir, boolean jfr, List<String> jvmArgs, boolean azureLimits,
      boolean pacing) {
  }

  /**
   * The steady state after convergence, per resync interval.
   *
   * @param readsPerHourShare the busiest subscription's ARM reads per hour, as a share of one principal's read budget
   *     there (25 per second: 90,000 an hour)
   * @param throttled 429s answered during the steady state
   */
  record Steady(double clusterGets, double puts, double otherArm, double cpuSeconds, double kubeRequests,
      double readsPerHourShare, int throttled) {
  }

  /**
   * The lower bound on convergence that Azure's limits put on the requests made: per subscription, the reads beyond
   * the read bucket at its refill rate, the writes beyond the write bucket at its refill rate, the cluster list pages
   * beyond AKS's list bucket at its refill rate; the largest of these over all subscriptions.
   */
  record Bound(double seconds, String limitedBy) {
  }

  /** Everything measured in one scenario. */
  record Result(Scenario scenario, int policies, int targets, boolean converged, int inSyncAtEnd,
      double convergeSeconds, Map<RequestKind, Integer> calls, Map<RequestKind, Integer> minimum,
      OperatorChild.Stats atConvergence, double kubeRequests, Steady steady, List<Double> latenciesMs,
      OperatorChild.Stats atEnd, String loadBefore, String loadAtConvergence, double harnessCpuSeconds,
      Bound bound, int throttled) {
  }

  static final List<RequestKind> SHOWN = List.of(RequestKind.CLUSTER_LIST, RequestKind.PUBLIC_IP_LIST,
      RequestKind.PUBLIC_IP_PREFIX_LIST, RequestKind.CLUSTER_GET, RequestKind.CLUSTER_PUT, RequestKind.OPERATION_GET,
      RequestKind.PUBLIC_IP_GET, RequestKind.PUBLIC_IP_PREFIX_GET, RequestKind.TOKEN);
  /** The emulator's page size, ARM's usual one for these lists. */
  static final int PAGE_SIZE = 100;
  /** The emulator's request log: every request of the largest scenario and its steady state. */
  static final int REQUEST_LOG = 2_000_000;

  private FleetBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Settings s = parse(args);
    Files.createDirectories(s.outDir());
    System.out.println("fleet benchmark: " + s.scenarios().stream().map(x -> x.id).toList() + ", operator -Xmx"
        + s.xmx() + ", resync " + s.resync().toSeconds() + " s, poll " + s.poll().toMillis() + " ms, "
        + Runtime.getRuntime().availableProcessors() + " CPUs, Java " + System.getProperty("java.version"));
    List<Result> results = new ArrayList<>();
    for (Scenario scenario : s.scenarios()) {
      System.out.println("== " + scenario.id + ": " + scenario.title);
      Result r = run(scenario, s);
      results.add(r);
      System.out.println(Report.oneLine(r));
    }
    String report = Report.markdown(results, s);
    System.out.println();
    System.out.println(report);
    Files.writeString(s.outDir().resolve("fleet-results.md"), report, StandardCharsets.UTF_8);
    System.out.println("(also written to " + s.outDir().resolve("fleet-results.md") + "; operator logs beside it)");
    if (results.stream().anyMatch(r -> !r.converged())) {
      System.exit(1);
    }
  }

  static Result run(Scenario scenario, Settings s) throws Exception {
    Fleet fleet = scenario.fleet();
    Path work = Files.createTempDirectory("authip-bench");
    LocalEnvironment.Options options = new LocalEnvironment.Options(0, 0, Duration.ZERO,
        OperatorConfig.forTesting(), work).withEmulator(b -> b.listPageSize(PAGE_SIZE)
            // Every request of the run: the lower bound is computed from the log (10,000 clusters make about 40,000).
            .requestLogCapacity(REQUEST_LOG)
            .throttling(s.azureLimits() ? Throttling.azure() : Throttling.none()));
    try (LocalEnvironment env = LocalEnvironment.start(options)) {
      ArmEmulator arm = env.arm();
      KubernetesClient k8s = env.kube().client();
      // One grant for every subscription of the fleet (grantAll replaces the grant's subscriptions).
      java.util.Set<String> subscriptions = new java.util.TreeSet<>(fleet.subscriptions());
      subscriptions.add(Fleet.SUBSCRIPTION);
      env.grantAll(subscriptions.toArray(String[]::new));
      fleet.seed(arm);
      k8s.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
          .withName(Fleet.NAMESPACE).endMetadata().build()).create();
      for (AuthorizedIpPolicy p : fleet.policies()) {
        k8s.resource(p).create();
      }
      try (InSyncWatch watch = new InSyncWatch(k8s, Fleet.NAMESPACE)) {
        arm.resetCounters();
        int kubeBefore = env.kube().server().getRequestCount();
        Map<String, String> childEnv = new LinkedHashMap<>(env.azureEnvironment());
        childEnv.put("AUTHIP_HTTP_PORT", "0");
        childEnv.put("AUTHIP_LOG_LEVEL", "info");
        childEnv.put("AUTHIP_LEADER_ELECTION", "false");
        childEnv.put("AUTHIP_WATCH_NAMESPACES", Fleet.NAMESPACE);
        childEnv.put("AUTHIP_POLL_INTERVAL", s.poll().toMillis() + "ms");
        // InSync, not Propagating, is what is timed: the 2-minute AKS propagation wait is a constant to add.
        childEnv.put("AUTHIP_PROPAGATION_DELAY", "0s");
        childEnv.put("AUTHIP_RESYNC_CAP", s.resync().toMillis() + "ms");
        childEnv.put("AUTHIP_AZURE_PACING", s.pacing() ? "azure" : "off");
        // HTTP/1.1 to the embedded API: the mock server's HTTP/2 sends a large LIST page (2.2 MB for 500 policies)
        // as one frame beyond the client's 16 KB maximum, which breaks the informer's start. A real API server frames
        // its answers correctly.
        childEnv.put("KUBERNETES_HTTP2_DISABLE", "true");
        Path log = s.outDir().resolve(scenario.id + "-operator.log");
        String loadBefore = loadAverage();
        long harnessCpu = processCpuNanos();
        long started = System.nanoTime();
        try (OperatorChild child = OperatorChild.start(s.xmx(), s.jvmArgs(), childEnv,
            // The mock server itself, whose watches are the WebSocket ones fabric8 informers use; url() is kubectl's.
            k8s.getMasterUrl().toString(), log,
            s.jfr() ? s.outDir().resolve(scenario.id + ".jfr").toAbsolutePath() : null)) {
          boolean converged = watch.awaitAll(fleet.policies().size(), s.timeout());
          double seconds = (System.nanoTime() - started) / 1e9;
          Map<RequestKind, Integer> calls = counts(arm);
          int throttled = throttled(arm);
          Bound bound = bound(arm);
          OperatorChild.Stats atConvergence = child.stats();
          String loadAtConvergence = loadAverage();
          double harnessSeconds = (processCpuNanos() - harnessCpu) / 1e9;
          dump(arm, s.outDir().resolve(scenario.id + "-converge-requests.txt"));
          double kube = env.kube().server().getRequestCount() - kubeBefore;
          System.out.printf(Locale.ROOT, "   converged=%s in %.2f s (%d/%d policies in sync); lower bound from "
              + "Azure's limits %.1f s (%s), ratio %s; 429s %d%n", converged, seconds, watch.inSyncCount(),
              fleet.policies().size(), bound.seconds(), bound.limitedBy(), Report.ratio(seconds, bound.seconds()),
              throttled);

          Steady steady = null;
          List<Double> latencies = List.of();
          if (converged) {
            steady = steady(env, child, s);
            dump(arm, s.outDir().resolve(scenario.id + "-steady-requests.txt"));
            if ((scenario == Scenario.FLEET_1000 || scenario == Scenario.S1_1000) && s.edits() > 0) {
              latencies = changeLatency(env, watch, fleet, s);
            }
          }
          OperatorChild.Stats atEnd = child.stats();
          // The operator ran as its ServiceAccount: a request the shipped RBAC forbids invalidates the run.
          System.out.println(env.kube().rbac().report().lines().findFirst().orElse(""));
          env.requireNoForbiddenRequests();
          return new Result(scenario, fleet.policies().size(), fleet.targetCount(), converged, watch.inSyncCount(),
              seconds, calls, fleet.minimumByList(PAGE_SIZE), atConvergence, kube, steady, latencies, atEnd,
              loadBefore, loadAtConvergence, harnessSeconds, bound, throttled);
        }
      }
    }
  }

  /** CPU time of this JVM: the emulator, the Kubernetes API and the harness, all on the same two cores. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** The 1-minute load average: other work on the machine slows every figure here down. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  /** The emulator's request log, one line per request, for finding out where requests come from. */
  static void dump(ArmEmulator arm, Path file) throws IOException {
    StringBuilder b = new StringBuilder();
    for (RecordedRequest r : arm.requests()) {
      b.append(r.at()).append(' ').append(r.kind()).append(' ').append(r.method()).append(' ').append(r.path())
          .append(' ').append(r.status()).append('\n');
    }
    Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
  }

  static Map<RequestKind, Integer> counts(ArmEmulator arm) {
    Map<RequestKind, Integer> out = new EnumMap<>(RequestKind.class);
    for (RequestKind k : RequestKind.values()) {
      out.put(k, arm.requestCount(k));
    }
    return out;
  }

  static int throttled(ArmEmulator arm) {
    int n = 0;
    for (RequestKind k : RequestKind.values()) {
      n += arm.throttledCount(k);
    }
    return n;
  }

  private static final java.util.regex.Pattern SUBSCRIPTION_PATH = java.util.regex.Pattern.compile(
      "^/subscriptions/([^/]+)/.*", java.util.regex.Pattern.CASE_INSENSITIVE);

  /** The subscription a request was made in, lower-cased; null for token and metadata requests. */
  static String subscriptionOf(RecordedRequest r) {
    java.util.regex.Matcher m = SUBSCRIPTION_PATH.matcher(r.path());
    return m.matches() ? m.group(1).toLowerCase(Locale.ROOT) : null;
  }

  /** See {@link Bound}: from the requests the emulator answered (a 429 did no work and is not counted). */
  static Bound bound(ArmEmulator arm) {
    if (arm.requestsDroppedFromLog() > 0) {
      throw new IllegalStateException(arm.requestsDroppedFromLog() + " requests fell out of the emulator's log: the "
          + "bound would be too low; raise REQUEST_LOG");
    }
    Map<String, int[]> bySub = new java.util.TreeMap<>();
    for (RecordedRequest r : arm.requests()) {
      String sub = subscriptionOf(r);
      if (sub == null || r.status() == 429) {
        continue;
      }
      int[] c = bySub.computeIfAbsent(sub, k -> new int[3]);
      if (r.method().equals("GET")) {
        c[0]++;
      } else {
        c[1]++;
      }
      if (r.kind() == RequestKind.CLUSTER_LIST) {
        c[2]++;
      }
    }
    double best = 0;
    String why = "everything within the buckets";
    for (Map.Entry<String, int[]> e : bySub.entrySet()) {
      int[] c = e.getValue();
      double reads = Math.max(0, (c[0] - 250) / 25.0);
      double writes = Math.max(0, (c[1] - 200) / 10.0);
      double lists = Math.max(0, (c[2] - 500) / 1.0);
      double worst = Math.max(reads, Math.max(writes, lists));
      if (worst > best) {
        best = worst;
        why = (worst == writes ? c[1] + " writes" : worst == reads ? c[0] + " reads" : c[2] + " cluster list pages")
            + " in one subscription";
      }
    }
    return new Bound(best, why);
  }

  /** Counts what happens over {@code steadyIntervals} resync intervals with nothing to change, after one more. */
  static Steady steady(LocalEnvironment env, OperatorChild child, Settings s) throws InterruptedException {
    ArmEmulator arm = env.arm();
    // One interval to settle first: the resyncs of the converging fleet, and the JIT compiling their code.
    Thread.sleep(s.resync().toMillis());
    arm.resetCounters();
    int kubeBefore = env.kube().server().getRequestCount();
    OperatorChild.Stats before = child.stats();
    Thread.sleep(s.resync().toMillis() * s.steadyIntervals());
    OperatorChild.Stats after = child.stats();
    Map<RequestKind, Integer> c = counts(arm);
    double n = s.steadyIntervals();
    int other = c.values().stream().mapToInt(Integer::intValue).sum() - c.get(RequestKind.CLUSTER_GET)
        - c.get(RequestKind.CLUSTER_PUT);
    Map<String, Integer> reads = new java.util.TreeMap<>();
    for (RecordedRequest r : arm.requests()) {
      String sub = subscriptionOf(r);
      if (sub != null && r.method().equals("GET")) {
        reads.merge(sub, 1, Integer::sum);
      }
    }
    double window = s.resync().toMillis() * n / 1000.0;
    double busiest = reads.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    double share = busiest * 3600.0 / window / (25 * 3600.0);
    Steady steady = new Steady(c.get(RequestKind.CLUSTER_GET) / n, c.get(RequestKind.CLUSTER_PUT) / n, other / n,
        (after.cpuSeconds() - before.cpuSeconds()) / n, (env.kube().server().getRequestCount() - kubeBefore) / n,
        share, throttled(arm));
    System.out.printf(Locale.ROOT, "   steady state per %d s interval: cluster GET %.1f, PUT %.1f, other ARM %.1f, "
        + "CPU %.2f s, Kubernetes requests %.1f; busiest subscription %.0f reads/h = %.2f %% of its read budget; "
        + "429s %d%n", s.resync().toSeconds(), steady.clusterGets(), steady.puts(), steady.otherArm(),
        steady.cpuSeconds(), steady.kubeRequests(), busiest * 3600.0 / window, share * 100, steady.throttled());
    return steady;
  }

  /**
   * Edits the first policy {@code edits} times, one after the other, each time to a range never used before, and
   * measures from the return of the update call to the arrival of the PUT carrying that range at the emulator (both
   * instants from the system clock of this JVM). Waits for InSync between edits.
   */
  static List<Double> changeLatency(LocalEnvironment env, InSyncWatch watch, Fleet fleet, Settings s)
      throws InterruptedException, IOException {
    ArmEmulator arm = env.arm();
    KubernetesClient k8s = env.kube().client();
    AuthorizedIpPolicy first = fleet.policies().get(0);
    ClusterFixture cluster = fleet.clusters().get(0);
    String clusterKey = ResourceIds.key(cluster.clusterId());
    List<Double> latencies = new ArrayList<>();
    for (int i = 1; i <= s.edits(); i++) {
      String marker = "20.42." + i + ".0/24";
      List<String> ranges = new ArrayList<>(Fleet.RANGES);
      ranges.add(marker);
      arm.resetCounters();
      AuthorizedIpPolicy edited = null;
      for (int attempt = 1; edited == null; attempt++) {
        try {
          edited = k8s.resources(AuthorizedIpPolicy.class).inNamespace(Fleet.NAMESPACE)
              .withName(first.getMetadata().getName()).edit(p -> {
                p.getSpec().setRanges(Fleet.entries(ranges));
                return p;
              });
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
          // The operator wrote the status between this edit's read and its patch: edited again, as kubectl does.
          if (e.getCode() != 409 || attempt >= 10) {
            throw e;
          }
        }
      }
      Instant returned = arm.clock().instant();
      Optional<RecordedRequest> put = awaitPut(arm, clusterKey, marker, s.timeout());
      if (put.isEmpty()) {
        System.out.println("   edit " + i + ": no PUT within " + s.timeout().toSeconds() + " s");
        break;
      }
      latencies.add(Duration.between(returned, put.get().at()).toNanos() / 1e6);
      if (!watch.awaitPolicy(first.getMetadata().getName(), edited.getMetadata().getGeneration(), s.timeout())) {
        System.out.println("   edit " + i + ": not InSync again within " + s.timeout().toSeconds() + " s");
        break;
      }
    }
    Files.writeString(s.outDir().resolve("change-latencies-ms.txt"), latencies.stream().map(d -> String.format(
        Locale.ROOT, "%.1f", d)).collect(java.util.stream.Collectors.joining("\n", "", "\n")), StandardCharsets.UTF_8);
    System.out.println("   change latency over " + latencies.size() + " edits: p50 " + Report.ms(Report.p(latencies,
        50)) + ", p99 " + Report.ms(Report.p(latencies, 99)) + ", max " + Report.ms(Report.p(latencies, 100)));
    return latencies;
  }

  private static Optional<RecordedRequest> awaitPut(ArmEmulator arm, String clusterKey, String marker,
      Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (arm.requestCount(clusterKey, "PUT") > 0) {
        for (RecordedRequest r : arm.requests()) {
          if (r.kind() == RequestKind.CLUSTER_PUT && r.resourceKey().equals(clusterKey) && r.body().contains(marker)) {
            return Optional.of(r);
          }
        }
      }
      Thread.sleep(2);
    }
    return Optional.empty();
  }

  static Settings parse(String[] args) {
    List<Scenario> scenarios = new ArrayList<>();
    String xmx = "256m";
    Duration resync = Duration.ofSeconds(10);
    Duration poll = Duration.ofMillis(500);
    int intervals = 2;
    int edits = 50;
    Duration timeout = Duration.ofMinutes(5);
    Path out = Path.of("target", "bench");
    boolean jfr = false;
    boolean limits = true;
    boolean pacing = true;
    List<String> jvmArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--scenario" -> {
          for (String id : require(a, v).split(",")) {
            scenarios.add(Scenario.byId(id.strip()));
          }
          i++;
        }
        case "--xmx" -> {
          xmx = require(a, v);
          i++;
        }
        case "--resync-seconds" -> {
          resync = Duration.ofSeconds(Long.parseLong(require(a, v)));
          i++;
        }
        case "--poll-ms" -> {
          poll = Duration.ofMillis(Long.parseLong(require(a, v)));
          i++;
        }
        case "--steady-intervals" -> {
          intervals = Integer.parseInt(require(a, v));
          i++;
        }
        case "--edits" -> {
          edits = Integer.parseInt(require(a, v));
          i++;
        }
        case "--timeout-seconds" -> {
          timeout = Duration.ofSeconds(Long.parseLong(require(a, v)));
          i++;
        }
        case "--out" -> {
          out = Path.of(require(a, v));
          i++;
        }
        case "--jfr" -> jfr = true;
        case "--no-limits" -> limits = false;
        case "--no-pacing" -> pacing = false;
        case "--operator-jvm-arg" -> {
          jvmArgs.add(require(a, v));
          i++;
        }
        default -> throw new IllegalArgumentException("unknown option '" + a + "'; options: --scenario "
            + "1sub-1000,10sub-1000,1sub-10000,10sub-10000,selector1000,single,fleet100,fleet1000,shared100 "
            + "--xmx 256m --resync-seconds 10 --poll-ms 500 --steady-intervals 2 --edits 50 --timeout-seconds 300 "
            + "--out target/bench --jfr --operator-jvm-arg -XX:... --no-limits --no-pacing");
      }
    }
    if (scenarios.isEmpty()) {
      scenarios.addAll(Scenario.AT_AZURE_LIMITS);
    }
    return new Settings(List.copyOf(scenarios), xmx, resync, poll, intervals, edits, timeout, out, jfr,
        List.copyOf(jvmArgs), limits, pacing);
  }

  private static String require(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }
}
