package io.authip.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Maven refuses cycles between modules; this keeps the packages inside them acyclic too, and holds each module's
 * main code to what it may use, so that a cycle like the old {@code policy -> azure -> policy} cannot come back.
 */
class PackageGraphTest {

  static final Pattern PACKAGE = Pattern.compile("(?m)^package (io\\.authip[\\w.]*);");
  static final Pattern REFERENCE = Pattern.compile("\\b(io\\.authip(?:\\.[a-z][a-z0-9]*)+)\\.[A-Z]");

  /** Module -> what its main code may not name (besides what Maven's graph already makes impossible). */
  static final Map<String, List<String>> FORBIDDEN = Map.of(
      "authip-api", List.of("io.authip.", "io.javaoperatorsdk", "com.azure"),
      "authip-core", List.of("io.authip.azure", "io.authip.operator", "io.authip.cli", "io.authip.emulator",
          "io.authip.kubeapi", "io.authip.sandbox", "io.javaoperatorsdk", "com.azure", "picocli"),
      "authip-azure", List.of("io.authip.operator", "io.authip.cli", "io.authip.emulator", "io.authip.kubeapi",
          "io.authip.sandbox", "io.javaoperatorsdk", "picocli"),
      "authip-operator", List.of("io.authip.emulator", "io.authip.kubeapi", "io.authip.sandbox",
          "io.fabric8.kubernetes.client.server.mock", "io.fabric8.mockwebserver", "org.bouncycastle"),
      "authip-testkit", List.of("io.authip.azure", "io.authip.operator", "io.authip.cli", "io.authip.sandbox",
          "io.javaoperatorsdk"));

  @Test
  void mainCodeOfEveryModuleUsesOnlyWhatItMay() {
    List<String> violations = new ArrayList<>();
    FORBIDDEN.forEach((module, prefixes) -> sources(module).forEach(file -> {
      String text = read(file);
      String own = pkg(text);
      for (String line : text.lines().filter(l -> l.startsWith("import ")).toList()) {
        String name = line.replaceFirst("^import (static )?", "");
        for (String prefix : prefixes) {
          if (name.startsWith(prefix) && !(module.equals("authip-api") && name.startsWith("io.authip.api."))) {
            violations.add(module + ": " + Project.DIR.relativize(file) + " (" + own + ") imports " + name);
          }
        }
      }
    }));
    assertThat(violations).isEmpty();
  }

  @Test
  void thePackagesFormNoCycle() {
    Map<String, Set<String>> graph = new TreeMap<>();
    for (String module : List.of("authip-api", "authip-core", "authip-azure", "authip-testkit", "authip-operator",
        "authip-sandbox")) {
      sources(module).forEach(file -> {
        String text = read(file);
        String own = pkg(text);
        Set<String> uses = graph.computeIfAbsent(own, k -> new TreeSet<>());
        Matcher m = REFERENCE.matcher(text);
        while (m.find()) {
          if (!m.group(1).equals(own) && !m.group(1).startsWith(own + ".")) {
            uses.add(m.group(1));
          }
        }
      });
    }
    assertThat(graph).containsKeys("io.authip.policy", "io.authip.azure", "io.authip.operator", "io.authip.cli");
    List<List<String>> cycles = cycles(graph);
    assertThat(cycles).as("package cycles in %s", graph).isEmpty();
  }

  /** Tarjan's strongly connected components; every component of more than one package is a cycle. */
  static List<List<String>> cycles(Map<String, Set<String>> graph) {
    List<List<String>> out = new ArrayList<>();
    Map<String, Integer> index = new TreeMap<>();
    Map<String, Integer> low = new TreeMap<>();
    List<String> stack = new ArrayList<>();
    Set<String> onStack = new TreeSet<>();
    int[] counter = {0};
    for (String v : graph.keySet()) {
      if (!index.containsKey(v)) {
        strongConnect(v, graph, index, low, stack, onStack, counter, out);
      }
    }
    return out;
  }

  private static void strongConnect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
      Map<String, Integer> low, List<String> stack, Set<String> onStack, int[] counter, List<List<String>> out) {
    index.put(v, counter[0]);
    low.put(v, counter[0]);
    counter[0]++;
    stack.add(v);
    onStack.add(v);
    for (String w : graph.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        strongConnect(w, graph, index, low, stack, onStack, counter, out);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      List<String> component = new ArrayList<>();
      String w;
      do {
        w = stack.remove(stack.size() - 1);
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      if (component.size() > 1) {
        out.add(component);
      }
    }
  }

  @Test
  void theCycleFinderFindsACycle() {
    assertThat(cycles(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"))))
        .singleElement().satisfies(c -> assertThat(c).containsExactlyInAnyOrder("a", "b", "c"));
    assertThat(cycles(Map.of("a", Set.of("b"), "b", Set.of()))).isEmpty();
  }

  private static List<Path> sources(String module) {
    Path root = Project.DIR.resolve(module).resolve("src/main/java");
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pkg(String text) {
    Matcher m = PACKAGE.matcher(text);
    return m.find() ? m.group(1) : "";
  }

  private static String read(Path file) {
    return Project.read(file);
  }
}
