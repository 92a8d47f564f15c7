package io.authip.ranges;

import java.util.List;
import java.util.Optional;

/**
 * The IPv4 ranges that are not globally reachable: the IANA IPv4 Special-Purpose Address Registry entries marked
 * "Globally Reachable: False" (the set Python's {@code ipaddress} calls not {@code is_global}, which the Azure CLI
 * uses), plus multicast, which can never be the source of an API server connection.
 */
public final class SpecialRanges {

  /** One registry entry. */
  public record Entry(Cidr cidr, String name) {
    @Override
    public String toString() {
      return cidr + " (" + name + ")";
    }
  }

  /** Disjoint and in address order: {@link #firstOverlap} stops early, and names the lowest overlap. */
  private static final List<Entry> NOT_GLOBAL = List.of(
      entry("0.0.0.0/8", "\"this network\", RFC 791"),
      entry("10.0.0.0/8", "private-use, RFC 1918"),
      entry("100.64.0.0/10", "shared address space, RFC 6598"),
      entry("127.0.0.0/8", "loopback, RFC 1122"),
      entry("169.254.0.0/16", "link-local, RFC 3927"),
      entry("172.16.0.0/12", "private-use, RFC 1918"),
      entry("192.0.0.0/29", "IETF protocol assignments, RFC 6890"),
      entry("192.0.0.8/32", "IETF protocol assignments, RFC 6890"),
      // 192.0.0.9/32 (PCP anycast) and 192.0.0.10/32 (TURN anycast) are globally reachable.
      entry("192.0.0.11/32", "IETF protocol assignments, RFC 6890"),
      entry("192.0.0.12/30", "IETF protocol assignments, RFC 6890"),
      entry("192.0.0.16/28", "IETF protocol assignments, RFC 6890"),
      entry("192.0.0.32/27", "IETF protocol assignments, RFC 6890"),
      entry("192.0.0.64/26", "IETF protocol assignments, RFC 6890"),
      entry("192.0.0.128/25", "IETF protocol assignments, RFC 6890"),
      entry("192.0.2.0/24", "documentation TEST-NET-1, RFC 5737"),
      entry("192.168.0.0/16", "private-use, RFC 1918"),
      entry("198.18.0.0/15", "benchmarking, RFC 2544"),
      entry("198.51.100.0/24", "documentation TEST-NET-2, RFC 5737"),
      entry("203.0.113.0/24", "documentation TEST-NET-3, RFC 5737"),
      entry("224.0.0.0/4", "multicast, RFC 5771"),
      entry("240.0.0.0/4", "reserved, RFC 1112"));
  // 255.255.255.255/32 (limited broadcast) lies inside 240.0.0.0/4.

  private SpecialRanges() {
  }

  private static Entry entry(String cidr, String name) {
    return new Entry(Cidr.parse(cidr), name);
  }

  public static List<Entry> notGlobal() {
    return NOT_GLOBAL;
  }

  /** The first non-public range that overlaps the block, if any. */
  public static Optional<Entry> firstOverlap(Cidr cidr) {
    long end = cidr.end();
    for (Entry e : NOT_GLOBAL) {
      if (e.cidr().start() > end) {
        break; // the list is in address order: nothing later can overlap
      }
      if (e.cidr().overlaps(cidr)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }
}
