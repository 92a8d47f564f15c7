package io.authip.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.time.Clock;
import java.time.OffsetDateTime;
import reactor.core.publisher.Mono;

/**
 * Lets azure-core's token cache refresh a token when it nears expiry (5 minutes before) instead of on every request
 * its 30-second back-off allows.
 *
 * <p>When the token response carries no {@code refresh_in} (Entra ID's answer for one-hour client-credential tokens
 * usually does not), msal4j 1.23 reports {@code refreshOn} as 0 rather than absent, and azure-identity 1.18 turns that
 * into a refresh time of 1970-01-01. azure-core's {@code AccessTokenCache} then finds every cached token due and asks
 * the identity provider for a new one at most every 30 seconds for as long as requests flow: about 120 token requests
 * an hour instead of one. A refresh time that has already passed when the token is handed out carries no advice, so
 * it is dropped here and the cache falls back to the token's expiry.
 */
final class ExpiryBasedRefresh implements TokenCredential {

  private final TokenCredential delegate;
  private final Clock clock;

  ExpiryBasedRefresh(TokenCredential delegate, Clock clock) {
    this.delegate = delegate;
    this.clock = clock;
  }

  @Override
  public Mono<AccessToken> getToken(TokenRequestContext request) {
    return delegate.getToken(request).map(this::withoutPastRefresh);
  }

  @Override
  public AccessToken getTokenSync(TokenRequestContext request) {
    AccessToken token = delegate.getTokenSync(request);
    return token == null ? null : withoutPastRefresh(token);
  }

  AccessToken withoutPastRefresh(AccessToken token) {
    OffsetDateTime refreshAt = token.getRefreshAt();
    if (refreshAt == null || refreshAt.toInstant().isAfter(clock.instant())) {
      return token;
    }
    return new AccessToken(token.getToken(), token.getExpiresAt(), null, token.getTokenType());
  }
}
