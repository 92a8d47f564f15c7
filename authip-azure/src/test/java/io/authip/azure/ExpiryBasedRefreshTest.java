package io.authip.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class ExpiryBasedRefreshTest {

  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final OffsetDateTime EXPIRES = OffsetDateTime.ofInstant(NOW.plusSeconds(3599), ZoneOffset.UTC);
  static final TokenRequestContext ARM = new TokenRequestContext()
      .addScopes("https://management.core.windows.net//.default");

  static TokenCredential returning(AccessToken token) {
    return new TokenCredential() {
      @Override
      public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.just(token);
      }

      @Override
      public AccessToken getTokenSync(TokenRequestContext request) {
        return token;
      }
    };
  }

  @Test
  void refreshTimeOf1970FromAResponseWithoutRefreshInIsDroppedSoTheCacheUsesTheExpiry() {
    AccessToken msal = new AccessToken("t", EXPIRES, OffsetDateTime.ofInstant(Instant.EPOCH, ZoneOffset.UTC),
        "Bearer");
    ExpiryBasedRefresh credential = new ExpiryBasedRefresh(returning(msal), CLOCK);

    for (AccessToken t : new AccessToken[] {credential.getTokenSync(ARM), credential.getToken(ARM).block()}) {
      assertThat(t.getRefreshAt()).isNull();
      assertThat(t.getToken()).isEqualTo("t");
      assertThat(t.getExpiresAt()).isEqualTo(EXPIRES);
      assertThat(t.getTokenType()).isEqualTo("Bearer");
    }
  }

  @Test
  void aRefreshTimeInTheFutureIsTheProvidersAdviceAndStays() {
    OffsetDateTime half = OffsetDateTime.ofInstant(NOW.plusSeconds(1800), ZoneOffset.UTC);
    AccessToken advised = new AccessToken("t", EXPIRES, half, "Bearer");
    AccessToken plain = new AccessToken("t", EXPIRES);

    assertThat(new ExpiryBasedRefresh(returning(advised), CLOCK).getTokenSync(ARM).getRefreshAt()).isEqualTo(half);
    assertThat(new ExpiryBasedRefresh(returning(plain), CLOCK).getTokenSync(ARM).getRefreshAt()).isNull();
  }
}
