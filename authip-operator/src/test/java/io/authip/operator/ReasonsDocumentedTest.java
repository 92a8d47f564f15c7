package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.ConditionReason;
import io.authip.api.v1alpha1.TargetReason;
import io.authip.api.v1alpha1.TargetState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's lists of status and event reasons and the enums that define them, in both directions. */
class ReasonsDocumentedTest {

  private static final Pattern CODE = Pattern.compile("`([A-Za-z]+)`");

  private static String readme() throws IOException {
    return Files.readString(Path.of(System.getProperty("authip.projectDir", "..")).resolve("README.md"));
  }

  /** The names between backticks in the paragraph text from {@code start} up to {@code end}. */
  private static Set<String> backticked(String text, String start, String end) {
    int from = text.indexOf(start);
    assertThat(from).as("README contains %s", start).isNotNegative();
    int to = text.indexOf(end, from + start.length());
    assertThat(to).as("README contains %s after %s", end, start).isPositive();
    Set<String> names = new TreeSet<>();
    Matcher m = CODE.matcher(text.substring(from + start.length(), to));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static Set<String> names(Enum<?>[] values) {
    return Arrays.stream(values).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void everyConditionReasonIsDocumentedAndEveryDocumentedOneExists() throws IOException {
    String readme = readme();
    Set<String> documented = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\s+reason: \\w+\\s+#(.*)$").matcher(
        readme.substring(readme.indexOf("status:\n  observedGeneration"), readme.indexOf("  targets:\n")));
    List<Set<String>> lists = new java.util.ArrayList<>();
    while (m.find()) {
      Set<String> list = new TreeSet<>();
      for (String r : m.group(1).split("\\|")) {
        list.add(r.strip());
      }
      lists.add(list);
      documented.addAll(list);
    }
    assertThat(lists).as("reason: lists of Ready, Drifted and Reconciling").hasSize(3);
    assertThat(lists.get(2)).as("Reconciling's reasons").isEqualTo(Conditions.IN_PROGRESS.stream().map(Enum::name)
        .collect(Collectors.toCollection(TreeSet::new)));
    String stalled = readme.substring(readme.indexOf("# Stalled (kstatus):"));
    stalled = stalled.substring(stalled.indexOf("message: ") + "message: ".length(), stalled.indexOf(".\n"));
    assertThat(new TreeSet<>(Arrays.stream(stalled.split(",")).map(String::strip).toList())).as("Stalled's reasons")
        .isEqualTo(Conditions.STALLING.stream().map(Enum::name).collect(Collectors.toCollection(TreeSet::new)));
    documented.addAll(backticked(readme, "`Valid` condition has the reasons", "."));
    assertThat(documented).isEqualTo(names(ConditionReason.values()));
  }

  @Test
  void everyTargetReasonIsDocumentedAndEveryDocumentedOneExists() throws IOException {
    assertThat(backticked(readme(), "Target reasons (`status.targets[].reason`):", ". An"))
        .isEqualTo(names(TargetReason.values()));
  }

  @Test
  void everyEventReasonIsDocumentedAndEveryDocumentedOneExists() throws IOException {
    assertThat(backticked(readme(), "Events (reasons", ")")).isEqualTo(names(EventReason.values()));
  }

  @Test
  void theTargetStatesOfTheReadmeAreTheEnum() throws IOException {
    String readme = readme();
    Matcher m = Pattern.compile("(?m)^\\s+state: \\w+\\s+#(.*)$").matcher(readme);
    assertThat(m.find()).isTrue();
    Set<String> documented = Arrays.stream(m.group(1).split("\\|")).map(String::strip)
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(documented).isEqualTo(names(TargetState.values()));
  }
}
