package io.authip.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LoggingTest {

  static final ObjectMapper JSON = new ObjectMapper();
  final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @AfterEach
  void clearMdc() {
    MDC.clear();
  }

  static LoggerContext context() {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(MDC.getMDCAdapter());
    return context;
  }

  List<String> lines() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void textLinesNameThePolicyAndTheClusterFromTheMdc() {
    LoggerContext context = context();
    Logging.configure(context, "info", Logging.Format.text, out);
    Logger log = context.getLogger("io.authip.operator.PolicySyncer");
    log.info("outside any reconcile");
    MDC.put(Logging.POLICY, "platform/production");
    log.info("validating");
    MDC.put(Logging.CLUSTER, "6f1e/prod-weu/aks-prod-weu");
    log.info("reading");
    MDC.put(Logging.CLUSTER, "6f1e/rg/forged\nline x=y");
    log.info("hostile value");

    List<String> lines = lines();
    assertThat(lines).hasSize(4);
    String stamp = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  io\\.authip\\.operator\\.PolicySyncer ";
    assertThat(lines.get(0)).matches(stamp + "- outside any reconcile");
    assertThat(lines.get(1)).matches(stamp + "policy=platform/production - validating");
    assertThat(lines.get(2)).matches(stamp + "policy=platform/production cluster=6f1e/prod-weu/aks-prod-weu - reading");
    assertThat(lines.get(3)).endsWith("cluster=6f1e/rg/forged_line_x=y - hostile value");
  }

  @Test
  void jsonIsOneObjectPerLineWithTheMdcFields() throws IOException {
    LoggerContext context = context();
    Logging.configure(context, "info", Logging.Format.json, out);
    Logger log = context.getLogger("io.authip.azure.AzureAksGateway");
    MDC.put(Logging.POLICY, "platform/production");
    MDC.put(Logging.CLUSTER, "6f1e/prod-weu/aks-prod-weu");
    log.warn("two\nlines and \"quotes\"", new IllegalStateException("boom"));
    MDC.remove(Logging.CLUSTER);
    log.info("done");

    List<String> lines = lines();
    assertThat(lines).hasSize(2);
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.path("level").asText()).isEqualTo("WARN");
    assertThat(first.path("logger").asText()).isEqualTo("io.authip.azure.AzureAksGateway");
    assertThat(first.path("message").asText()).isEqualTo("two\nlines and \"quotes\"");
    assertThat(first.path("policy").asText()).isEqualTo("platform/production");
    assertThat(first.path("cluster").asText()).isEqualTo("6f1e/prod-weu/aks-prod-weu");
    assertThat(first.path("exception").asText()).startsWith("java.lang.IllegalStateException: boom");
    assertThat(first.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(first.path("thread").asText()).isNotEmpty();
    JsonNode second = JSON.readTree(lines.get(1));
    assertThat(second.path("policy").asText()).isEqualTo("platform/production");
    assertThat(second.has("cluster")).isFalse();
    assertThat(second.has("exception")).isFalse();
  }

  @Test
  void chattyLibrariesStayAtWarnUnlessDebugging() {
    LoggerContext context = context();
    Logging.configure(context, "info", Logging.Format.text, out);
    for (String chatty : List.of("io.javaoperatorsdk.operator.Operator", "io.fabric8.mockwebserver.MockWebServer",
        "reactor.netty.http.client.HttpClient", "com.azure.core.http", "io.netty.util")) {
      assertThat(context.getLogger(chatty).isInfoEnabled()).as(chatty).isFalse();
      assertThat(context.getLogger(chatty).isWarnEnabled()).as(chatty).isTrue();
    }
    assertThat(context.getLogger("io.authip.operator.AuthipOperator").isInfoEnabled()).isTrue();

    Logging.configure(context, "debug", Logging.Format.text, out);
    assertThat(context.getLogger("com.azure.core.http").isDebugEnabled()).isTrue();
    assertThat(context.getLogger("io.authip.azure").isDebugEnabled()).isTrue();

    Logging.configure(context, "error", Logging.Format.text, out);
    assertThat(context.getLogger("io.authip.azure").isWarnEnabled()).isFalse();
    assertThat(context.getLogger("com.azure.core.http").isWarnEnabled()).isFalse();
  }

  @Test
  void reconfiguringNeverClosesTheStream() {
    boolean[] closed = {false};
    java.io.OutputStream stream = new java.io.OutputStream() {
      @Override
      public void write(int b) {
        out.write(b);
      }

      @Override
      public void close() {
        closed[0] = true;
      }
    };
    LoggerContext context = context();
    Logging.configure(context, "info", Logging.Format.text, stream);
    Logging.configure(context, "warn", Logging.Format.json, stream);
    context.stop();
    assertThat(closed[0]).isFalse();
  }

  @Test
  void theFormatVariableIsTextOrJson() {
    assertThat(Logging.format(Map.of())).isEqualTo(Logging.Format.text);
    assertThat(Logging.format(Map.of("AUTHIP_LOG_FORMAT", " JSON "))).isEqualTo(Logging.Format.json);
    assertThat(Logging.format(Map.of("AUTHIP_LOG_FORMAT", "text"))).isEqualTo(Logging.Format.text);
    assertThatThrownBy(() -> Logging.format(Map.of("AUTHIP_LOG_FORMAT", "xml")))
        .hasMessage("AUTHIP_LOG_FORMAT='xml' must be text or json");
  }
}
