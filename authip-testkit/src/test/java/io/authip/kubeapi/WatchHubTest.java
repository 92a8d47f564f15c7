package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WatchHubTest {

  private static WatchHub.Change change(long version) {
    return new WatchHub.Change(version, "authip.io", "v1alpha1", "authorizedippolicies", null,
        Json.parse("{\"metadata\":{\"resourceVersion\":\"" + version + "\"}}"));
  }

  @Test
  void aWatchFromAVersionGetsWhatCameAfterItThenLiveChanges() throws Exception {
    WatchHub hub = new WatchHub(10);
    hub.publish(change(1));
    hub.publish(change(2));
    hub.publish(change(3));
    try (WatchHub.Subscription s = hub.subscribe(1)) {
      hub.publish(change(4));
      assertThat(s.poll(1, TimeUnit.SECONDS).resourceVersion()).isEqualTo(2);
      assertThat(s.poll(1, TimeUnit.SECONDS).resourceVersion()).isEqualTo(3);
      assertThat(s.poll(1, TimeUnit.SECONDS).resourceVersion()).isEqualTo(4);
      assertThat(s.poll(10, TimeUnit.MILLISECONDS)).isNull();
      assertThat(s.ended()).isFalse();
      hub.close();
      assertThat(s.poll(1, TimeUnit.SECONDS)).isNull();
      assertThat(s.ended()).isTrue();
    }
  }

  @Test
  void aVersionOlderThanTheKeptHistoryIsExpired() throws Exception {
    WatchHub hub = new WatchHub(2);
    for (long v = 1; v <= 5; v++) {
      hub.publish(change(v));
    }
    assertThatThrownBy(() -> hub.subscribe(2)).isInstanceOf(WatchHub.Expired.class)
        .hasMessageContaining("too old resource version: 2");
    try (WatchHub.Subscription s = hub.subscribe(3)) {
      assertThat(s.poll(1, TimeUnit.SECONDS).resourceVersion()).isEqualTo(4);
    }
    try (WatchHub.Subscription live = hub.subscribe(-1)) {
      assertThat(live.poll(10, TimeUnit.MILLISECONDS)).isNull();
    }
  }
}
