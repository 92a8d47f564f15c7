package io.authip.emulator;

import java.time.Duration;
import java.time.Instant;

/** A token bucket driven by the caller's clock readings; not thread-safe (callers lock). */
final class TokenBucket {

  private final double capacity;
  private final double tokensPerNano;
  private double tokens;
  private Instant last;

  TokenBucket(int capacity, Duration perToken, Instant now) {
    this.capacity = capacity;
    this.tokensPerNano = 1.0 / perToken.toNanos();
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes a token, or says how long until one is there. */
  Duration take(Instant now) {
    refill(now);
    if (tokens >= 1) {
      tokens -= 1;
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) Math.ceil((1 - tokens) / tokensPerNano));
  }

  /** Whole tokens there now, without taking any. */
  int available(Instant now) {
    refill(now);
    return (int) Math.floor(tokens);
  }

  private void refill(Instant now) {
    if (now.isAfter(last)) {
      tokens = Math.min(capacity, tokens + Duration.between(last, now).toNanos() * tokensPerNano);
      last = now;
    }
  }
}
