package io.authip.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What AKS checks of {@code apiServerAccessProfile.authorizedIPRanges} on a PUT (rules R1, R2, R4, R5, R8, R9), and
 * how it stores the list (a bare address becomes {@code /32}). Written independently of {@code io.authip.ranges} on
 * purpose: the emulator is the oracle the operator is tested against. Like the service, it does not refuse private
 * addresses (rule R3 is the CLI's and authip's own).
 */
final class AuthorizedRangesValidation {

  static final int MAX_RANGES = 200;
  /**
   * With API Server VNet Integration ({@code apiServerAccessProfile.enableVnetIntegration}) AKS documents up to
   * 2,000 ranges. That the service enforces exactly this is unverified; the emulator follows the documentation.
   */
  static final int MAX_RANGES_VNET_INTEGRATION = 2_000;
  static final String LOAD_BALANCER_ONLY = "0.0.0.0/32";
  private static final String MORE = " Refer to https://aka.ms/aks/auth-ip-ranges for more details";
  private static final Pattern IPV4 =
      Pattern.compile("(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})(?:/(\\d{1,2}))?");

  private AuthorizedRangesValidation() {
  }

  /** The ranges as the service stores them, or the 400 it answers. */
  sealed interface Result {
    record Valid(List<String> stored) implements Result {
    }

    record Invalid(ArmError error) implements Result {
    }
  }

  /**
   * @param newBody the PUT body
   * @param previousBody the stored cluster, or null on create
   * @return the ranges to store, or null when the field is absent
   */
  static Result check(JsonNode newBody, JsonNode previousBody) {
    JsonNode ranges = newBody.path("properties").path("apiServerAccessProfile").path("authorizedIPRanges");
    if (ranges.isMissingNode() || ranges.isNull()) {
      return new Result.Valid(null);
    }
    if (!ranges.isArray()) {
      return invalid("InvalidParameter", "The value of parameter apiServerAccessProfile.authorizedIPRanges is "
          + "invalid: it must be an array of IPv4 addresses or CIDRs." + MORE);
    }
    List<String> stored = new ArrayList<>();
    for (JsonNode entry : ranges) {
      if (!entry.isTextual()) {
        return invalid("InvalidParameter", "The authorized IP range " + entry + " is invalid: it must be a string "
            + "holding an IPv4 address or CIDR." + MORE);
      }
      Optional<String> problem = problem(entry.asText());
      if (problem.isPresent()) {
        return invalid("InvalidParameter", problem.get() + MORE);
      }
      stored.add(entry.asText().contains("/") ? entry.asText() : entry.asText() + "/32");
    }
    int max = newBody.path("properties").path("apiServerAccessProfile").path("enableVnetIntegration")
        .asBoolean(false) ? MAX_RANGES_VNET_INTEGRATION : MAX_RANGES;
    if (stored.size() > max) {
      return invalid("InvalidParameter",
          "The number of APIServer Authorized IP Ranges is greater than the allowed value " + max + "." + MORE);
    }
    if (stored.contains(LOAD_BALANCER_ONLY) && stored.size() > 1) {
      return invalid("InvalidParameter",
          "Setting apiServerAuthorizedIPRange to 0.0.0.0/32 is not allowed with other IP ranges." + MORE);
    }
    if (!stored.isEmpty()
        && newBody.path("properties").path("apiServerAccessProfile").path("enablePrivateCluster").asBoolean(false)) {
      return invalid("InvalidParameter", "Private cluster cannot be enabled with AuthorizedIPRanges.");
    }
    if (!stored.isEmpty() && basicLoadBalancer(newBody) && !hasRanges(previousBody)) {
      return invalid("InvalidParameter", "API server authorized IP ranges cannot be enabled on a cluster with a "
          + "Basic SKU load balancer; it is supported with the Standard SKU load balancer only." + MORE);
    }
    return new Result.Valid(List.copyOf(stored));
  }

  private static Optional<String> problem(String text) {
    if (text.contains(":")) {
      return Optional.of("The authorized IP range '" + text + "' is invalid: only IPv4 addresses and CIDRs are "
          + "supported.");
    }
    Matcher m = IPV4.matcher(text);
    if (!m.matches()) {
      return Optional.of("The authorized IP range '" + text + "' is invalid: it is not an IPv4 address or CIDR.");
    }
    long address = 0;
    for (int i = 1; i <= 4; i++) {
      int octet = Integer.parseInt(m.group(i));
      if (octet > 255) {
        return Optional.of("The authorized IP range '" + text + "' is invalid: it is not an IPv4 address or CIDR.");
      }
      address = address << 8 | octet;
    }
    int prefix = m.group(5) == null ? 32 : Integer.parseInt(m.group(5));
    if (prefix > 32) {
      return Optional.of("The authorized IP range '" + text + "' is invalid: the prefix length must be 0 to 32.");
    }
    long hostMask = prefix == 0 ? 0xFFFFFFFFL : (1L << (32 - prefix)) - 1;
    if ((address & hostMask) != 0) {
      long network = address & ~hostMask & 0xFFFFFFFFL;
      return Optional.of("The authorized IP range '" + text + "' is invalid: a CIDR must start with the first "
          + "address of its range, e.g. '" + (network >>> 24) + "." + (network >>> 16 & 255) + "."
          + (network >>> 8 & 255) + "." + (network & 255) + "/" + prefix + "'.");
    }
    return Optional.empty();
  }

  /** Valid stored ranges (each {@code a.b.c.d/n}) in the requested order; null stays null. */
  static List<String> ordered(List<String> stored, RangeOrder order) {
    if (stored == null || order == RangeOrder.AS_SENT) {
      return stored;
    }
    List<String> out = new ArrayList<>(stored);
    if (order == RangeOrder.REVERSED) {
      java.util.Collections.reverse(out);
    } else {
      out.sort(java.util.Comparator.comparingLong(AuthorizedRangesValidation::sortKey));
    }
    return List.copyOf(out);
  }

  private static long sortKey(String cidr) {
    Matcher m = IPV4.matcher(cidr);
    if (!m.matches()) {
      throw new IllegalStateException("not a validated range: " + cidr);
    }
    long address = 0;
    for (int i = 1; i <= 4; i++) {
      address = address << 8 | Integer.parseInt(m.group(i));
    }
    return address << 6 | Integer.parseInt(m.group(5));
  }

  static boolean basicLoadBalancer(JsonNode body) {
    return "basic".equalsIgnoreCase(body.path("properties").path("networkProfile").path("loadBalancerSku").asText());
  }

  static boolean hasRanges(JsonNode body) {
    if (body == null) {
      return false;
    }
    JsonNode ranges = body.path("properties").path("apiServerAccessProfile").path("authorizedIPRanges");
    return ranges.isArray() && !ranges.isEmpty();
  }

  private static Result invalid(String code, String message) {
    return new Result.Invalid(ArmError.badRequest(code, message));
  }
}
