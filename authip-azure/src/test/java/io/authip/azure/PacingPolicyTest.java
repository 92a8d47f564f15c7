package io.authip.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import io.authip.azure.ArmPacer.BucketState;
import io.authip.azure.ArmPacer.Call;
import io.authip.azure.ArmPacer.Kind;
import io.authip.azure.ArmPacer.Limits;
import io.authip.azure.ArmPacer.Priority;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class PacingPolicyTest {

  static final String ME = "client-id-of-the-pipeline";
  static final String SUB = "00000000-0000-0000-0000-0000000000aa";
  static final String BASE = "https://management.azure.com";
  static final String CLUSTER_PATH = "/subscriptions/" + SUB
      + "/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/Prod";
  static final String CLUSTER = ArmPacer.clusterId(SUB, "rg", "prod");

  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final ArmPacer pacer = new ArmPacer(Limits.azure(), nanos::get);
  final AtomicInteger sent = new AtomicInteger();

  /** An answer the fake ARM gives. */
  record Answer(int status, HttpHeaders headers, String body) {
  }

  static final class FakeResponse extends HttpResponse {
    private final Answer answer;
    private final AtomicInteger bodyReads;

    FakeResponse(HttpRequest request, Answer answer, AtomicInteger bodyReads) {
      super(request);
      this.answer = answer;
      this.bodyReads = bodyReads;
    }

    @Override
    public int getStatusCode() {
      return answer.status();
    }

    @Override
    public String getHeaderValue(String name) {
      return answer.headers().getValue(name);
    }

    @Override
    public HttpHeaders getHeaders() {
      return answer.headers();
    }

    @Override
    public Flux<ByteBuffer> getBody() {
      // A network body can be read once only; a second read gets nothing, as from a consumed stream.
      return Flux.defer(() -> bodyReads.getAndIncrement() == 0
          ? Flux.just(ByteBuffer.wrap(answer.body().getBytes(StandardCharsets.UTF_8)))
          : Flux.empty());
    }

    @Override
    public Mono<byte[]> getBodyAsByteArray() {
      return getBody().reduce(new byte[0], (acc, b) -> {
        byte[] next = new byte[acc.length + b.remaining()];
        System.arraycopy(acc, 0, next, 0, acc.length);
        b.get(next, acc.length, b.remaining());
        return next;
      });
    }

    @Override
    public Mono<String> getBodyAsString() {
      return getBodyAsString(StandardCharsets.UTF_8);
    }

    @Override
    public Mono<String> getBodyAsString(Charset charset) {
      return getBodyAsByteArray().map(b -> new String(b, charset));
    }
  }

  HttpPipeline pipeline(Answer answer) {
    HttpClient arm = request -> {
      sent.incrementAndGet();
      return Mono.just(new FakeResponse(request, answer, new AtomicInteger()));
    };
    return new HttpPipelineBuilder().httpClient(arm).policies(new PacingPolicy(pacer, ME)).build();
  }

  static Answer answer(int status, String body, String... headerPairs) {
    HttpHeaders h = new HttpHeaders();
    for (int i = 0; i < headerPairs.length; i += 2) {
      h.set(headerPairs[i], headerPairs[i + 1]);
    }
    return new Answer(status, h, body);
  }

  static String error(String code) {
    return "{\"error\":{\"code\":\"" + code + "\",\"message\":\"m\"}}";
  }

  /** Sends through the async path and through the sync path; both must report the same. */
  HttpResponse send(HttpMethod method, String pathAndQuery, Answer answer, boolean sync) {
    HttpRequest request = new HttpRequest(method, BASE + pathAndQuery);
    HttpPipeline p = pipeline(answer);
    return sync ? p.sendSync(request, Context.NONE) : p.send(request).block();
  }

  Optional<BucketState> bucket(Kind kind, String clusterId) {
    return pacer.bucket(ME, SUB, clusterId, kind);
  }

  @Test
  void theReadsLeftLowerThePrincipalsReadBucket() {
    for (boolean sync : new boolean[] {false, true}) {
      send(HttpMethod.GET, CLUSTER_PATH + "?api-version=2025-07-01",
          answer(200, "{}", "x-ms-ratelimit-remaining-subscription-reads", "" + (sync ? 3 : 7)), sync);
      assertThat(bucket(Kind.READ, null).orElseThrow().tokens()).isEqualTo(sync ? 3.0 : 7.0);
    }
    assertThat(pacer.bucket("someone-else", SUB, null, Kind.READ)).isEmpty();
    assertThat(bucket(Kind.WRITE, null)).isEmpty();
  }

  @Test
  void theLowestOfTheWriteHeadersLowersTheWriteBucket() {
    send(HttpMethod.PUT, CLUSTER_PATH, answer(200, "{}",
        "x-ms-ratelimit-remaining-subscription-writes", "150",
        "x-ms-ratelimit-remaining-subscription-global-writes", "120"), false);
    assertThat(bucket(Kind.WRITE, null).orElseThrow().tokens()).isEqualTo(120.0);
    send(HttpMethod.DELETE, "/subscriptions/" + SUB + "/resourceGroups/rg", answer(202, "",
        "x-ms-ratelimit-remaining-subscription-deletes", "90"), true);
    assertThat(bucket(Kind.WRITE, null).orElseThrow().tokens()).isEqualTo(90.0);
    send(HttpMethod.POST, "/subscriptions/" + SUB + "/x", answer(200, "",
        "x-ms-ratelimit-remaining-subscription-writes", "not a number"), false);
    assertThat(bucket(Kind.WRITE, null).orElseThrow().tokens()).isEqualTo(90.0);
    assertThat(bucket(Kind.READ, null)).isEmpty();
  }

  @Test
  void aRead429HoldsTheReadBucketForItsRetryAfter() {
    send(HttpMethod.GET, "/subscriptions/" + SUB + "/providers/Microsoft.ContainerService/locations/westeurope"
        + "/operations/abc", answer(429, error("SubscriptionRequestsThrottled"), "Retry-After", "17"), false);
    assertThat(bucket(Kind.READ, null).orElseThrow().blockedFor()).isEqualTo(Duration.ofSeconds(17));
    assertThat(pacer.reserve(ME, SUB, null, Call.OPERATION_GET, Priority.URGENT).delay())
        .isEqualTo(Duration.ofSeconds(17));
    assertThat(pacer.counters(Kind.READ).throttled()).isEqualTo(1);
  }

  @Test
  void aClusterPut429FromAksHoldsThatClustersPutBucket() {
    for (boolean sync : new boolean[] {false, true}) {
      send(HttpMethod.PUT, CLUSTER_PATH + "?api-version=2025-07-01", answer(429, error("Throttled"),
          "Retry-After", sync ? "60" : "30", "x-ms-ratelimit-remaining-subscription-writes", "199"), sync);
    }
    assertThat(bucket(Kind.CLUSTER_PUT, CLUSTER).orElseThrow().blockedFor()).isEqualTo(Duration.ofSeconds(60));
    assertThat(bucket(Kind.WRITE, null).orElseThrow().blockedFor()).isZero();
    assertThat(pacer.reserve(ME, SUB, CLUSTER, Call.CLUSTER_PUT, Priority.URGENT).delay())
        .isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void aClusterPut429FromArmHoldsTheWriteBucket() {
    send(HttpMethod.PUT, CLUSTER_PATH, answer(429, error("SubscriptionRequestsThrottled"), "Retry-After", "9"),
        false);
    assertThat(bucket(Kind.WRITE, null).orElseThrow().blockedFor()).isEqualTo(Duration.ofSeconds(9));
    assertThat(bucket(Kind.CLUSTER_PUT, CLUSTER)).isEmpty();
    // No code, but ARM says no write is left: ARM's bucket as well.
    nanos.addAndGet(Duration.ofSeconds(20).toNanos());
    send(HttpMethod.PUT, CLUSTER_PATH, answer(429, "", "Retry-After", "4",
        "x-ms-ratelimit-remaining-subscription-writes", "0"), true);
    assertThat(bucket(Kind.WRITE, null).orElseThrow().blockedFor()).isEqualTo(Duration.ofSeconds(4));
    assertThat(bucket(Kind.CLUSTER_PUT, CLUSTER)).isEmpty();
  }

  @Test
  void aList429HoldsTheSubscriptionsListBucketPagesIncluded() {
    send(HttpMethod.GET, "/subscriptions/" + SUB + "/providers/Microsoft.ContainerService/managedClusters"
        + "?api-version=2025-07-01&$skipToken=abc", answer(429, error("TooManyRequests"), "Retry-After", "12"),
        false);
    assertThat(pacer.bucket("anyone", SUB, null, Kind.CLUSTER_LIST).orElseThrow().blockedFor())
        .isEqualTo(Duration.ofSeconds(12));
    nanos.addAndGet(Duration.ofSeconds(30).toNanos());
    send(HttpMethod.GET, "/subscriptions/" + SUB + "/resourceGroups/rg/providers/Microsoft.ContainerService"
        + "/managedClusters/", answer(429, "", "Retry-After", "5"), true);
    assertThat(pacer.bucket("anyone", SUB, null, Kind.CLUSTER_LIST).orElseThrow().blockedFor())
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(bucket(Kind.READ, null)).isEmpty();
  }

  @Test
  void aBusyResourcesRetryable429IsNotThrottling() {
    send(HttpMethod.GET, "/subscriptions/" + SUB + "/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses"
        + "/pip", answer(429, error("RetryableErrorDueToAnotherOperation"), "Retry-After", "10"), false);
    assertThat(pacer.buckets()).isEmpty();
    assertThat(pacer.counters(Kind.READ).throttled()).isZero();
  }

  @Test
  void a429WithoutRetryAfterHoldsForTheDefault() {
    send(HttpMethod.GET, CLUSTER_PATH, answer(429, "not json at all"), true);
    assertThat(bucket(Kind.READ, null).orElseThrow().blockedFor()).isEqualTo(ArmErrors.DEFAULT_THROTTLE);
  }

  @Test
  void requestsOutsideASubscriptionAreNotReported() {
    send(HttpMethod.GET, "/tenants?api-version=2022-01-01", answer(429, "", "Retry-After", "10",
        "x-ms-ratelimit-remaining-tenant-reads", "0"), false);
    send(HttpMethod.GET, "/subscriptions", answer(200, "", "x-ms-ratelimit-remaining-subscription-reads", "1"),
        true);
    assertThat(pacer.buckets()).isEmpty();
  }

  @Test
  void the429sBodyStillReachesTheCaller() {
    for (boolean sync : new boolean[] {false, true}) {
      HttpResponse r = send(HttpMethod.GET, CLUSTER_PATH, answer(429, error("TooManyRequests"), "Retry-After", "1"),
          sync);
      assertThat(r.getStatusCode()).isEqualTo(429);
      assertThat(r.getBodyAsString().block()).isEqualTo(error("TooManyRequests"));
      HttpResponse ok = send(HttpMethod.GET, CLUSTER_PATH, answer(200, "{\"id\":1}"), sync);
      assertThat(ok.getBodyAsString().block()).as("other bodies are not touched").isEqualTo("{\"id\":1}");
    }
  }

  @Test
  void thePolicyNeverWaitsEvenOnAnEmptyBucket() {
    pacer.throttled(ME, SUB, Kind.READ, Duration.ofMinutes(10));
    pacer.throttled(ME, SUB, Kind.WRITE, Duration.ofMinutes(10));
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      for (int i = 0; i < 100; i++) {
        send(HttpMethod.GET, CLUSTER_PATH, answer(429, "", "Retry-After", "600"), i % 2 == 0);
        send(HttpMethod.PUT, CLUSTER_PATH, answer(200, "{}"), i % 2 == 1);
      }
    });
    assertThat(sent).hasValue(200);
  }

  @Test
  void itRunsOncePerAttempt() {
    assertThat(new PacingPolicy(pacer, ME).getPipelinePosition()).isEqualTo(HttpPipelinePosition.PER_RETRY);
  }
}
