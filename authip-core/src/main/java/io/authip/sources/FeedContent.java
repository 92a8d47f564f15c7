package io.authip.sources;

import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import io.authip.ranges.RangeParser;
import io.authip.ranges.RangeRules;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What one source returned, as authip uses it: the canonical blocks of its IPv4 entries, how many entries it listed,
 * how many IPv6 entries were skipped, and the service tag's change number (null for a feed).
 */
public record FeedContent(CidrSet blocks, int listed, int ipv6Skipped, String changeNumber) {

  /** The most entries one source may list (a whole cloud's AzureCloud tag lists about 10,000 IPv4 prefixes). */
  public static final int MAX_ENTRIES = 100_000;
  /** The prefix of every content hash. */
  public static final String HASH_PREFIX = "sha256:";

  /**
   * Checks every entry as a range of {@code spec.ranges} is checked (IPv4, first address of its block, public) and
   * merges them. IPv6 entries are skipped and counted. Fails on the first invalid entry, naming it and how many are
   * invalid: content that is partly wrong is not used at all.
   *
   * @param where names the source in messages, e.g. {@code https://api.github.com/meta}
   */
  public static FeedContent parse(List<String> entries, String changeNumber, String where) throws FeedException {
    if (entries.size() > MAX_ENTRIES) {
      throw new FeedException(where + " lists " + entries.size() + " entries, more than the " + MAX_ENTRIES
          + " a source may list; choose a narrower tag or JSONPath");
    }
    List<Cidr> valid = new ArrayList<>(entries.size());
    int ipv6 = 0;
    int invalid = 0;
    String first = null;
    for (String raw : entries) {
      String entry = raw == null ? "" : raw.strip();
      if (entry.indexOf(':') >= 0) {
        ipv6++;
        continue;
      }
      RangeRules.Checked checked = RangeRules.check(entry);
      if (checked instanceof RangeRules.Checked.Valid v) {
        valid.add(v.cidr());
      } else {
        invalid++;
        if (first == null) {
          first = RangeParser.quote(entry) + ": " + ((RangeRules.Checked.Invalid) checked).message();
        }
      }
    }
    if (invalid > 0) {
      throw new FeedException(where + " returned " + invalid + " entr" + (invalid == 1 ? "y" : "ies")
          + " that cannot be authorized, the first " + first + "; the content is not used (the last good content, "
          + "if any, stays in force)");
    }
    if (valid.isEmpty()) {
      throw new FeedException(where + " returned no IPv4 range" + (ipv6 > 0 ? " (only " + ipv6 + " IPv6 entries, "
          + "which AKS does not accept)" : "") + "; an empty source is refused rather than used");
    }
    return new FeedContent(CidrSet.of(valid), entries.size(), ipv6, changeNumber);
  }

  public String hash() {
    return hash(blocks);
  }

  /** {@code sha256:} and the first 16 bytes, in hex, of SHA-256 over the canonical blocks, one per line. */
  public static String hash(CidrSet blocks) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String block : blocks.toStrings()) {
        sha.update(block.getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) '\n');
      }
      return HASH_PREFIX + HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
