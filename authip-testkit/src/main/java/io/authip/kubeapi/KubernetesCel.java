package io.authip.kubeapi;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.CelType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;

/**
 * A CEL environment with what Kubernetes adds for CRD validation rules that authip's rules use: the {@code ip}
 * and {@code cidr} libraries (k8s.io/apiserver/pkg/cel/library ip.go and cidr.go), defined, as there, by Go's
 * {@code net/netip} ({@link GoNetip}). Everything of both libraries is here, with Kubernetes' overloads and error
 * texts: {@code isIP}, {@code ip}, {@code ip.isCanonical}, {@code family}, {@code isUnspecified},
 * {@code isLoopback}, {@code isLinkLocalMulticast}, {@code isLinkLocalUnicast}, {@code isGlobalUnicast},
 * {@code isCIDR}, {@code cidr}, {@code containsIP}, {@code containsCIDR}, {@code ip()} of a CIDR,
 * {@code masked}, {@code prefixLength} and {@code string()} of both. {@code ip()} and {@code cidr()} refuse
 * IPv4-mapped IPv6 addresses and zones.
 */
final class KubernetesCel {

  static final CelType IP_TYPE = OpaqueType.create("net.IP");
  static final CelType CIDR_TYPE = OpaqueType.create("net.CIDR");

  /** A value of type {@code net.IP}; equal when the addresses are (Kubernetes compares {@code netip.Addr}). */
  record Ip(GoNetip.Addr addr) {
    @Override
    public String toString() {
      return addr.toString();
    }
  }

  /** A value of type {@code net.CIDR}: the prefix as written, so {@code cidr('10.0.0.1/8') != cidr('10.0.0.0/8')}. */
  record Cidr(GoNetip.Prefix prefix) {
    @Override
    public String toString() {
      return prefix.toString();
    }
  }

  private KubernetesCel() {
  }

  /** The options Kubernetes' environment relies on for CRD rules (heterogeneous equality, optional syntax off). */
  static Cel build(Iterable<dev.cel.common.CelVarDecl> vars) {
    return CelFactory.standardCelBuilder()
        .setOptions(CelOptions.current().enableHeterogeneousNumericComparisons(true).build())
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addVarDeclarations(vars)
        .addFunctionDeclarations(declarations())
        .addFunctionBindings(bindings())
        .build();
  }

  static Iterable<CelFunctionDecl> declarations() {
    return java.util.List.of(
        fn("isIP", CelOverloadDecl.newGlobalOverload("is_ip", SimpleType.BOOL, SimpleType.STRING)),
        fn("ip", CelOverloadDecl.newGlobalOverload("string_to_ip", IP_TYPE, SimpleType.STRING),
            CelOverloadDecl.newMemberOverload("cidr_ip", IP_TYPE, CIDR_TYPE)),
        fn("ip.isCanonical", CelOverloadDecl.newGlobalOverload("ip_is_canonical", SimpleType.BOOL, SimpleType.STRING)),
        fn("family", CelOverloadDecl.newMemberOverload("ip_family", SimpleType.INT, IP_TYPE)),
        fn("isUnspecified", CelOverloadDecl.newMemberOverload("ip_is_unspecified", SimpleType.BOOL, IP_TYPE)),
        fn("isLoopback", CelOverloadDecl.newMemberOverload("ip_is_loopback", SimpleType.BOOL, IP_TYPE)),
        fn("isLinkLocalMulticast",
            CelOverloadDecl.newMemberOverload("ip_is_link_local_multicast", SimpleType.BOOL, IP_TYPE)),
        fn("isLinkLocalUnicast",
            CelOverloadDecl.newMemberOverload("ip_is_link_local_unicast", SimpleType.BOOL, IP_TYPE)),
        fn("isGlobalUnicast", CelOverloadDecl.newMemberOverload("ip_is_global_unicast", SimpleType.BOOL, IP_TYPE)),
        fn("isCIDR", CelOverloadDecl.newGlobalOverload("is_cidr", SimpleType.BOOL, SimpleType.STRING)),
        fn("cidr", CelOverloadDecl.newGlobalOverload("string_to_cidr", CIDR_TYPE, SimpleType.STRING)),
        fn("containsIP",
            CelOverloadDecl.newMemberOverload("cidr_contains_ip_string", SimpleType.BOOL, CIDR_TYPE, SimpleType.STRING),
            CelOverloadDecl.newMemberOverload("cidr_contains_ip_ip", SimpleType.BOOL, CIDR_TYPE, IP_TYPE)),
        fn("containsCIDR",
            CelOverloadDecl.newMemberOverload("cidr_contains_cidr_string", SimpleType.BOOL, CIDR_TYPE,
                SimpleType.STRING),
            CelOverloadDecl.newMemberOverload("cidr_contains_cidr", SimpleType.BOOL, CIDR_TYPE, CIDR_TYPE)),
        fn("masked", CelOverloadDecl.newMemberOverload("cidr_masked", CIDR_TYPE, CIDR_TYPE)),
        fn("prefixLength", CelOverloadDecl.newMemberOverload("cidr_prefix_length", SimpleType.INT, CIDR_TYPE)),
        fn("string", CelOverloadDecl.newGlobalOverload("ip_to_string", SimpleType.STRING, IP_TYPE),
            CelOverloadDecl.newGlobalOverload("cidr_to_string", SimpleType.STRING, CIDR_TYPE)));
  }

  private static CelFunctionDecl fn(String name, CelOverloadDecl... overloads) {
    return CelFunctionDecl.newFunctionDeclaration(name, overloads);
  }

  static Iterable<CelFunctionBinding> bindings() {
    return java.util.List.of(
        CelFunctionBinding.from("is_ip", String.class, s -> parseIp(s) != null),
        CelFunctionBinding.from("string_to_ip", String.class, KubernetesCel::ip),
        CelFunctionBinding.from("cidr_ip", Cidr.class, c -> new Ip(c.prefix().addr())),
        CelFunctionBinding.from("ip_is_canonical", String.class,
            s -> ip(s).addr().toString().equals(s)),
        CelFunctionBinding.from("ip_family", Ip.class, ip -> ip.addr().is4() ? 4L : 6L),
        CelFunctionBinding.from("ip_is_unspecified", Ip.class, ip -> ip.addr().isUnspecified()),
        CelFunctionBinding.from("ip_is_loopback", Ip.class, ip -> ip.addr().isLoopback()),
        CelFunctionBinding.from("ip_is_link_local_multicast", Ip.class, ip -> ip.addr().isLinkLocalMulticast()),
        CelFunctionBinding.from("ip_is_link_local_unicast", Ip.class, ip -> ip.addr().isLinkLocalUnicast()),
        CelFunctionBinding.from("ip_is_global_unicast", Ip.class, ip -> ip.addr().isGlobalUnicast()),
        CelFunctionBinding.from("is_cidr", String.class, s -> parseCidr(s) != null),
        CelFunctionBinding.from("string_to_cidr", String.class, KubernetesCel::cidr),
        CelFunctionBinding.from("cidr_contains_ip_string", Cidr.class, String.class,
            (c, s) -> c.prefix().contains(ip(s).addr())),
        CelFunctionBinding.from("cidr_contains_ip_ip", Cidr.class, Ip.class, (c, ip) -> c.prefix().contains(ip.addr())),
        CelFunctionBinding.from("cidr_contains_cidr_string", Cidr.class, String.class,
            (c, s) -> containsCidr(c, cidr(s))),
        CelFunctionBinding.from("cidr_contains_cidr", Cidr.class, Cidr.class, KubernetesCel::containsCidr),
        CelFunctionBinding.from("cidr_masked", Cidr.class, c -> new Cidr(c.prefix().masked())),
        CelFunctionBinding.from("cidr_prefix_length", Cidr.class, c -> (long) c.prefix().bits()),
        CelFunctionBinding.from("ip_to_string", Ip.class, Ip::toString),
        CelFunctionBinding.from("cidr_to_string", Cidr.class, Cidr::toString));
  }

  /** Kubernetes' {@code parseIPAddr}: Go's ParseAddr, then no zone and no IPv4-mapped IPv6. */
  static Ip ip(String raw) throws CelEvaluationException {
    GoNetip.Addr addr;
    try {
      addr = GoNetip.parseAddr(raw);
    } catch (GoNetip.ParseError e) {
      throw new CelEvaluationException("IP Address " + GoNetip.quote(raw)
          + " parse error during conversion from string: " + e.getMessage());
    }
    if (!addr.zone().isEmpty()) {
      throw new CelEvaluationException("IP address " + GoNetip.quote(raw) + " with zone value is not allowed");
    }
    if (addr.is4In6()) {
      throw new CelEvaluationException("IPv4-mapped IPv6 address " + GoNetip.quote(raw) + " is not allowed");
    }
    return new Ip(addr);
  }

  /** Kubernetes' {@code parseCIDR}: Go's ParsePrefix, then no IPv4-mapped IPv6. */
  static Cidr cidr(String raw) throws CelEvaluationException {
    GoNetip.Prefix prefix;
    try {
      prefix = GoNetip.parsePrefix(raw);
    } catch (GoNetip.ParseError e) {
      throw new CelEvaluationException("network address parse error during conversion from string: "
          + e.getMessage());
    }
    if (prefix.addr().is4In6()) {
      throw new CelEvaluationException("IPv4-mapped IPv6 address " + GoNetip.quote(raw) + " is not allowed");
    }
    return new Cidr(prefix);
  }

  static Ip parseIp(String raw) {
    try {
      return ip(raw);
    } catch (CelEvaluationException e) {
      return null;
    }
  }

  static Cidr parseCidr(String raw) {
    try {
      return cidr(raw);
    } catch (CelEvaluationException e) {
      return null;
    }
  }

  /** Kubernetes: same family, at least as long, and the other's address masked to this length is this network. */
  static boolean containsCidr(Cidr outer, Cidr inner) {
    GoNetip.Prefix a = outer.prefix();
    GoNetip.Prefix b = inner.prefix();
    return a.addr().bits() == b.addr().bits() && a.bits() <= b.bits()
        && a.masked().equals(new GoNetip.Prefix(b.addr().masked(a.bits()), a.bits()));
  }
}
